/**
 * jshm core: named shared regions (memory-mapped files with a validated header), the Linux
 * futex, the robust interprocess lock and the child-JVM launcher that every other jshm module
 * stands on.
 */
module io.jshm.core {
    exports io.jshm.core.os;
    exports io.jshm.core.region;
    exports io.jshm.core.sync;
    exports io.jshm.core.process;
}
