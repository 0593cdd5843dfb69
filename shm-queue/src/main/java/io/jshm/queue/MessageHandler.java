package io.jshm.queue;

import java.lang.foreign.MemorySegment;

/**
 * Receives a message without copying it: the bytes {@code [offset, offset + length)} of a
 * read-only view of the queue's shared memory.
 *
 * <p>The view is valid only during the call: once the handler returns, the slot is given back
 * to producers and its bytes may change at any moment. Copy what must outlive the call. The
 * same {@code buffer} object is passed every time (no allocation per message). If the handler
 * throws, the message counts as received and the exception propagates.
 */
@FunctionalInterface
public interface MessageHandler {
    void onMessage(MemorySegment buffer, long offset, int length);
}
