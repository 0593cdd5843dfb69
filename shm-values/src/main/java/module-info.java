/** jshm values: shared scalar values and arrays with atomic operations, across processes. */
module io.jshm.values {
    requires transitive io.jshm.core;

    exports io.jshm.values;
}
