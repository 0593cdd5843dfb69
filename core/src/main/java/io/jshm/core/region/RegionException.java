package io.jshm.core.region;

import java.nio.file.Path;

/**
 * A region file could not be created or opened as asked. Every subclass names the file and what
 * was wrong with it; none leaves a mapping behind.
 */
public class RegionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public RegionException(Path file, String problem) {
        this(file, problem, null);
    }

    public RegionException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file concerned. */
    public Path file() {
        return file;
    }
}
