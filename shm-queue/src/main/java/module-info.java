/** jshm queues: bounded SPSC, MPSC and MPMC message queues, joinable queue and duplex pipe, across processes. */
module io.jshm.queue {
    requires transitive io.jshm.core;

    exports io.jshm.queue;
}
