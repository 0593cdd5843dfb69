package io.jshm.values;

/**
 * The type of the elements of a shared value or array, as recorded in its file's header
 * (parameter 0). The codes are part of the file format: never renumber one, only add.
 */
public enum ElementType {
    INT(1, Integer.BYTES),
    LONG(2, Long.BYTES),
    DOUBLE(3, Double.BYTES);

    private final int code;
    private final int size;

    ElementType(int code, int size) {
        this.code = code;
        this.size = size;
    }

    /** The code stored in the header. */
    public int code() {
        return code;
    }

    /** Bytes one element occupies; also its alignment. */
    public int size() {
        return size;
    }

    /** The type with this code, or null if this build knows none. */
    public static ElementType ofCode(long code) {
        for (ElementType type : values()) {
            if (type.code == code) {
                return type;
            }
        }
        return null;
    }

    /** A header code as a name for messages: "LONG", or "unknown element type code 9". */
    static String describe(long code) {
        ElementType type = ofCode(code);
        return type == null ? "unknown element type code " + code : type.name();
    }
}
