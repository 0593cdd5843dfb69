package io.jshm.core.region;

import java.nio.file.Path;

/** The file's creator never published it as READY within the open timeout. */
public final class RegionNotReadyException extends RegionException {
    private static final long serialVersionUID = 1L;

    public RegionNotReadyException(Path file, String problem) {
        super(file, problem);
    }

    public RegionNotReadyException(Path file, String problem, Throwable cause) {
        super(file, problem, cause);
    }
}
