package io.jshm.core.region;

import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where a shared object lives and how its file is made: a directory, a validated plain file
 * name, the permissions a new file gets, and how long {@code open} waits for a file that is not
 * READY yet.
 *
 * <p>The directory is {@code /dev/shm} (tmpfs: memory, never a disk) unless the {@code jshm.dir}
 * system property or {@link #in(Path)} says otherwise. A name is 1 to 200 characters of
 * {@code [A-Za-z0-9._-]}, not "." or "..": it can never reach outside its directory. New files are
 * owner-only ({@code rw-------}) unless {@link #withPermissions} asks for more.
 *
 * <p>Immutable; a child process given the same directory and name reaches the same object.
 *
 * @param directory    the directory holding the file
 * @param name         the file name
 * @param permissions  the permissions of a file this creates
 * @param openTimeout  how long opening waits for the file to become READY
 */
public record ShmFile(Path directory, String name, Set<PosixFilePermission> permissions, Duration openTimeout) {
    /** The system property naming the default directory. */
    public static final String DIRECTORY_PROPERTY = "jshm.dir";
    /** The default directory when {@value #DIRECTORY_PROPERTY} is not set. */
    public static final Path DEFAULT_DIRECTORY = Path.of("/dev/shm");
    /** Owner read and write only. */
    public static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    /** How long {@code open} waits for READY unless told otherwise. */
    public static final Duration DEFAULT_OPEN_TIMEOUT = Duration.ofSeconds(2);

    private static final Pattern VALID_NAME = Pattern.compile("[A-Za-z0-9._-]{1,200}");

    public ShmFile {
        Objects.requireNonNull(directory, "directory");
        validateName(name);
        permissions = Set.copyOf(Objects.requireNonNull(permissions, "permissions"));
        if (!permissions.contains(PosixFilePermission.OWNER_READ) || !permissions.contains(PosixFilePermission.OWNER_WRITE)) {
            throw new IllegalArgumentException("permissions of shared file '" + name
                    + "' must include owner read and write, were " + PosixFilePermissions.toString(permissions));
        }
        if (openTimeout.isNegative()) {
            throw new IllegalArgumentException("openTimeout must not be negative, was " + openTimeout);
        }
    }

    /** The object {@code name} in the default directory. */
    public static ShmFile of(String name) {
        return of(defaultDirectory(), name);
    }

    /** The object {@code name} in {@code directory}. */
    public static ShmFile of(Path directory, String name) {
        return new ShmFile(directory, name, OWNER_ONLY, DEFAULT_OPEN_TIMEOUT);
    }

    /** The same name in another directory. */
    public ShmFile in(Path otherDirectory) {
        return new ShmFile(otherDirectory, name, permissions, openTimeout);
    }

    /** The same file, created with these permissions, e.g. {@code "rw-rw----"} to share with a group. */
    public ShmFile withPermissions(String posixPermissions) {
        return new ShmFile(directory, name, PosixFilePermissions.fromString(posixPermissions), openTimeout);
    }

    /** The same file, opened with another bound on the wait for READY. */
    public ShmFile withOpenTimeout(Duration timeout) {
        return new ShmFile(directory, name, permissions, timeout);
    }

    /** The file's path. */
    public Path path() {
        return directory.resolve(name);
    }

    /** The directory named by {@value #DIRECTORY_PROPERTY}, else {@code /dev/shm}. */
    public static Path defaultDirectory() {
        String configured = System.getProperty(DIRECTORY_PROPERTY);
        return configured == null || configured.isBlank() ? DEFAULT_DIRECTORY : Path.of(configured);
    }

    /**
     * Checks that {@code name} is a plain file name jshm accepts.
     *
     * @throws IllegalArgumentException naming the name and the rule it breaks
     */
    public static void validateName(String name) {
        if (name == null) {
            throw new IllegalArgumentException("shared object name must not be null");
        }
        if (!VALID_NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
            String shown = name.length() > 40 ? name.substring(0, 40) + "... (" + name.length() + " characters)" : name;
            throw new IllegalArgumentException("invalid shared object name '" + shown
                    + "': a name is 1 to 200 characters of A-Z a-z 0-9 . _ -, not '.' or '..', and holds no '/'");
        }
    }

    @Override
    public String toString() {
        return path().toString();
    }
}
