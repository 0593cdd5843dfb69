package io.jshm.core.sync;

import io.jshm.core.region.SharedRegion;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * What every standalone synchronisation object of this package shares: it is one named region,
 * closed (unmapped) and unlinked the same way.
 */
abstract class RegionObject implements AutoCloseable {
    final SharedRegion region;
    final MemorySegment body;

    RegionObject(SharedRegion region) {
        this.region = region;
        this.body = region.body();
    }

    /**
     * Wraps a freshly created or opened region, closing it if the wrapper refuses it (a body of
     * the wrong size, a parameter that does not match).
     */
    static <T> T wrap(SharedRegion region, Function<SharedRegion, T> constructor) {
        try {
            return constructor.apply(region);
        } catch (RuntimeException e) {
            region.close();
            throw e;
        }
    }

    /** The file holding this object. */
    public Path file() {
        return region.file().path();
    }

    /**
     * Unmaps this process's view of the object; other processes are unaffected. Any later use
     * of this handle throws {@link IllegalStateException}.
     */
    @Override
    public void close() {
        region.close();
    }

    /** Removes the object's name, like {@code shm_unlink}: handles open now stay valid. */
    public boolean unlink() {
        return region.unlink();
    }

    /** The address of the int at {@code offset} in the body, for the futex. */
    long address(long offset) {
        return body.address() + offset;
    }
}
