package io.jshm.core.os;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A process as recorded in shared memory: its pid and its start time, which together name one
 * process for the life of the machine. A pid alone does not: the kernel reuses pids, and a lock
 * whose dead owner's pid now belongs to another process must still be seen as abandoned.
 *
 * <p>The start time is field 22 of {@code /proc/<pid>/stat} (clock ticks since boot), the same
 * value {@link ProcessHandle.Info#startInstant()} is computed from, read without allocating a
 * {@code ProcessHandle}.
 *
 * <p>A pid missing from {@code /proc} is not taken for dead on that alone: {@code /proc} mounted
 * with {@code hidepid=2} (usual on hardened hosts) hides the processes of other users, and two
 * users' processes may share a queue or a lock through group permissions. {@code kill(pid, 0)}
 * then says whether the pid is in use ({@code ESRCH} only when it is not). A hidden process's
 * start time cannot be read, so a dead process whose pid a hidden one reuses counts as alive until
 * that one ends too: a wait, never a live process's resources taken.
 *
 * @param pid       the process id
 * @param startTime the start time in clock ticks since boot, never 0 for a real process
 */
public record ProcessIdentity(long pid, long startTime) {
    private static final int STATE_INDEX = 0;
    private static final int START_TIME_INDEX = 19;
    /** What {@link #statFields} returns when the process exists but its stat could not be read. */
    private static final String[] UNREADABLE = new String[0];
    private static final ProcessIdentity CURRENT = readCurrent();
    private static final long PID_NAMESPACE = readPidNamespace();

    /** This JVM's process. */
    public static ProcessIdentity current() {
        return CURRENT;
    }

    /**
     * Whether this process still runs: its pid exists, is not a zombie, and started at the
     * recorded time (so it is not a later process that reuses the pid). When {@code /proc}
     * cannot tell (its file exists but cannot be read: no file descriptor left, say; or the pid
     * is in use by a process {@code /proc} hides), the answer is yes: callers take a dead
     * process's resources, and must never take a live one's; they ask again later.
     */
    public boolean isAlive() {
        if (this.equals(CURRENT)) {
            return true;
        }
        String[] fields = statFields(pid);
        if (fields == null) {
            return pidInUse(pid);
        }
        if (fields == UNREADABLE) {
            return true;
        }
        char state = fields[STATE_INDEX].charAt(0);
        if (state == 'Z' || state == 'X' || state == 'x') {
            return false;
        }
        return Long.parseLong(fields[START_TIME_INDEX]) == startTime;
    }

    /** Whether the process with this pid is alive, whatever its start time (yes when {@code /proc} cannot tell, as above). */
    public static boolean isAlive(long pid) {
        String[] fields = statFields(pid);
        if (fields == null) {
            return pidInUse(pid);
        }
        return fields == UNREADABLE || "ZXx".indexOf(fields[STATE_INDEX].charAt(0)) < 0;
    }

    /**
     * For a pid without a {@code /proc} entry: whether a process has it all the same, hidden from
     * this one ({@code hidepid=2}). Asks {@code kill(pid, 0)}, which sends nothing: {@code EPERM}
     * means a process of another user has the pid; only {@code ESRCH} means none has.
     */
    private static boolean pidInUse(long pid) {
        if (pid <= 0 || pid > Integer.MAX_VALUE) {
            return false; // no process has it; and kill(0 or -1, ...) would mean process groups
        }
        Libc.requireSupportedOs();
        Libc.Scratch scratch = Libc.Scratch.get();
        int result;
        try {
            result = (int) Libc.Linked.KILL.invokeExact(scratch.callState, (int) pid, 0);
        } catch (Throwable t) {
            throw new IllegalStateException("kill downcall failed", t);
        }
        return result == 0 || scratch.errno() != Libc.ESRCH;
    }

    /** The identity of a running process, or null when no process has this pid or its {@code /proc} entry cannot be read. */
    public static ProcessIdentity of(long pid) {
        String[] fields = statFields(pid);
        return fields == null || fields == UNREADABLE ? null : new ProcessIdentity(pid, Long.parseLong(fields[START_TIME_INDEX]));
    }

    /**
     * The pid namespace this JVM lives in (the inode number of {@code /proc/self/ns/pid}), or 0
     * when it cannot be read. Pids mean the same process only within one namespace.
     */
    public static long pidNamespace() {
        return PID_NAMESPACE;
    }

    private static long readPidNamespace() {
        try {
            String link = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
            return Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static ProcessIdentity readCurrent() {
        long pid = ProcessHandle.current().pid();
        ProcessIdentity identity = of(pid);
        if (identity == null) {
            // No /proc (not Linux): fall back to the JDK's view; nothing else here will run anyway.
            long start = ProcessHandle.current().info().startInstant().map(i -> i.toEpochMilli()).orElse(1L);
            return new ProcessIdentity(pid, start);
        }
        return identity;
    }

    /**
     * The fields of {@code /proc/<pid>/stat} after the command name; null if there is no such
     * file (no such process); {@link #UNREADABLE} if it could not be read for another reason (no
     * file descriptor left, the process ending between open and read), which is no evidence
     * of death.
     */
    private static String[] statFields(long pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return UNREADABLE;
        }
        // The command name is in parentheses and may itself hold spaces and parentheses.
        int afterName = stat.lastIndexOf(')');
        return stat.substring(afterName + 2).split(" ");
    }
}
