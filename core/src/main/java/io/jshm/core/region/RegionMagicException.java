package io.jshm.core.region;

import java.nio.file.Path;

/** The file does not start with the jshm magic: it is not a jshm region. */
public final class RegionMagicException extends RegionException {
    private static final long serialVersionUID = 1L;

    public RegionMagicException(Path file, String problem) {
        super(file, problem);
    }

    public RegionMagicException(Path file, String problem, Throwable cause) {
        super(file, problem, cause);
    }
}
