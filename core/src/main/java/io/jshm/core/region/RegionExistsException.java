package io.jshm.core.region;

import java.nio.file.Path;

/** A region of this name exists already, so it cannot be created. */
public final class RegionExistsException extends RegionException {
    private static final long serialVersionUID = 1L;

    public RegionExistsException(Path file, String problem) {
        super(file, problem);
    }

    public RegionExistsException(Path file, String problem, Throwable cause) {
        super(file, problem, cause);
    }
}
