package io.jshm.core.os;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;

/**
 * Reserves the pages of a file up front with {@code posix_fallocate}.
 *
 * <p>On tmpfs a file extended with {@code ftruncate} is sparse: creating it "succeeds" even when
 * the file system has no room, and the first write to a page that cannot be backed kills the JVM
 * with SIGBUS. Reserving the pages at create time turns that into an ordinary error.
 */
public final class FileSpace {
    private FileSpace() {
    }

    /**
     * Makes {@code file} at least {@code length} bytes long with every page allocated.
     *
     * @throws NoSpaceException if the file system cannot hold that many bytes
     * @throws IOException      for any other failure, with the error number
     */
    public static void reserve(Path file, long length) throws IOException {
        Libc.requireSupportedOs();
        try (Arena arena = Arena.ofConfined()) {
            Libc.Scratch scratch = Libc.Scratch.get();
            int fd = (int) Libc.Linked.OPEN.invokeExact(
                    scratch.callState, arena.allocateFrom(file.toString()), Libc.O_RDWR | Libc.O_CLOEXEC);
            if (fd < 0) {
                throw new IOException("cannot open " + file + " to reserve its space, errno " + scratch.errno());
            }
            int error;
            do {
                error = (int) Libc.Linked.POSIX_FALLOCATE.invokeExact(fd, 0L, length);
            } while (error == Libc.EINTR);
            int ignored = (int) Libc.Linked.CLOSE.invokeExact(fd);
            if (error == Libc.ENOSPC) {
                throw new NoSpaceException(file, length);
            }
            if (error != 0) {
                throw new IOException("posix_fallocate of " + length + " bytes for " + file + " failed, errno " + error);
            }
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("libc downcall failed", t);
        }
    }

    /** The file system holding a file has no room for the bytes asked for. */
    public static final class NoSpaceException extends IOException {
        private static final long serialVersionUID = 1L;

        NoSpaceException(Path file, long length) {
            super("no space to reserve " + length + " bytes for " + file);
        }
    }
}
