package io.jshm.core.region;

import java.nio.file.Path;

/** The operating system refused access to the region file or its directory. */
public final class RegionAccessException extends RegionException {
    private static final long serialVersionUID = 1L;

    public RegionAccessException(Path file, String problem) {
        super(file, problem);
    }

    public RegionAccessException(Path file, String problem, Throwable cause) {
        super(file, problem, cause);
    }
}
