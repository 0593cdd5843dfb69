package io.jshm.core.region;

import java.nio.file.Path;

/** The file is a jshm region of a format version this build cannot read. */
public final class RegionVersionException extends RegionException {
    private static final long serialVersionUID = 1L;

    public RegionVersionException(Path file, String problem) {
        super(file, problem);
    }

    public RegionVersionException(Path file, String problem, Throwable cause) {
        super(file, problem, cause);
    }
}
