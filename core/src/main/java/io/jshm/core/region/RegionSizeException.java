package io.jshm.core.region;

import java.nio.file.Path;

/** The file's length or body size differs from what its header or kind requires. */
public final class RegionSizeException extends RegionException {
    private static final long serialVersionUID = 1L;

    public RegionSizeException(Path file, String problem) {
        super(file, problem);
    }

    public RegionSizeException(Path file, String problem, Throwable cause) {
        super(file, problem, cause);
    }
}
