package io.jshm.core.region;

import java.nio.file.Path;

/** The directory's file system has no room for the region (its pages are reserved at create time, so this never surfaces later as SIGBUS). */
public final class RegionNoSpaceException extends RegionException {
    private static final long serialVersionUID = 1L;

    public RegionNoSpaceException(Path file, String problem) {
        super(file, problem);
    }

    public RegionNoSpaceException(Path file, String problem, Throwable cause) {
        super(file, problem, cause);
    }
}
