package io.jshm.core.region;

import java.nio.file.Path;

/** No region file has this name in the directory (or the directory does not exist). */
public final class RegionNotFoundException extends RegionException {
    private static final long serialVersionUID = 1L;

    public RegionNotFoundException(Path file, String problem) {
        super(file, problem);
    }

    public RegionNotFoundException(Path file, String problem, Throwable cause) {
        super(file, problem, cause);
    }
}
