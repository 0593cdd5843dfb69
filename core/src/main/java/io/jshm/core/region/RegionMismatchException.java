package io.jshm.core.region;

import java.nio.file.Path;

/**
 * The file is a sound region but not the one asked for: another kind, element type, length or
 * capacity. The message names what was found and what was expected.
 */
public final class RegionMismatchException extends RegionException {
    private static final long serialVersionUID = 1L;

    private final String property;
    private final String found;
    private final String expected;

    public RegionMismatchException(Path file, String property, Object found, Object expected) {
        super(file, property + " mismatch: found " + found + ", expected " + expected);
        this.property = property;
        this.found = String.valueOf(found);
        this.expected = String.valueOf(expected);
    }

    /** What differs: "kind", "element type", "length", "capacity", ... */
    public String property() {
        return property;
    }

    public String found() {
        return found;
    }

    public String expected() {
        return expected;
    }
}
