package io.jshm.core.region;

import java.nio.file.Path;

/** The file is shorter than a region header, or than the size its header records. */
public final class RegionTruncatedException extends RegionException {
    private static final long serialVersionUID = 1L;

    public RegionTruncatedException(Path file, String problem) {
        super(file, problem);
    }

    public RegionTruncatedException(Path file, String problem, Throwable cause) {
        super(file, problem, cause);
    }
}
