package io.jshm.core.region;

/**
 * What a new region is: its kind, up to three kind-specific parameters (element type, length,
 * capacity, ...) recorded in the header, and the size of its body.
 *
 * @param kind       the kind recorded in the header
 * @param bodySize   the bytes after the header, at least 1
 * @param parameter0 the first kind-specific header parameter
 * @param parameter1 the second
 * @param parameter2 the third
 */
public record RegionSpec(RegionKind kind, long bodySize, long parameter0, long parameter1, long parameter2) {
    public RegionSpec {
        if (kind == null) {
            throw new IllegalArgumentException("kind must not be null");
        }
        if (bodySize <= 0 || bodySize > Long.MAX_VALUE - RegionDescriptor.HEADER_SIZE) {
            throw new IllegalArgumentException("region body size must be positive and fit a file, was " + bodySize);
        }
    }

    /** A region with no parameters. */
    public static RegionSpec of(RegionKind kind, long bodySize) {
        return new RegionSpec(kind, bodySize, 0, 0, 0);
    }

    /** The total file size: header plus body. */
    public long totalSize() {
        return RegionDescriptor.HEADER_SIZE + bodySize;
    }

    long parameter(int index) {
        return switch (index) {
            case 0 -> parameter0;
            case 1 -> parameter1;
            case 2 -> parameter2;
            default -> throw new IndexOutOfBoundsException("parameter index " + index);
        };
    }
}
