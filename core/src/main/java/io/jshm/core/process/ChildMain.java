package io.jshm.core.process;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;

/**
 * The entry point of every child JVM a {@link JvmProcess} starts: it arranges what the child
 * owes its parent, then runs the real {@code main}.
 *
 * <p>A daemon child watches its standard input, a pipe whose only writer is the parent: when
 * the parent dies, however it dies, the kernel closes the pipe, the read returns end-of-file
 * and the child halts. This needs no polling and no Linux-only {@code PR_SET_PDEATHSIG} (whose
 * signal follows the parent <em>thread</em> that forked, not the process).
 *
 * <p>Arguments: the main class name, then its arguments. Not meant to be called by hand.
 */
public final class ChildMain {
    /** Exit status of a daemon child whose parent died (128 + SIGKILL, as if killed with it). */
    static final int ORPHANED_DAEMON_STATUS = 137;
    /** Exit status when the main method throws, as Python's exit code 1 for an uncaught error. */
    static final int UNCAUGHT_EXCEPTION_STATUS = 1;

    private ChildMain() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            throw new IllegalArgumentException("usage: ChildMain <main class> [arguments...]");
        }
        if (JvmProcess.isCurrentProcessDaemon()) {
            Thread.ofPlatform().daemon().name("jshm-parent-watch").start(ChildMain::haltWhenParentDies);
        } else {
            System.in.close();
        }
        Method main;
        try {
            Class<?> mainClass = Class.forName(args[0], true, ClassLoader.getSystemClassLoader());
            main = mainClass.getDeclaredMethod("main", String[].class);
            // Like the java launcher since JDK 25, accept a main class or method that is not public.
            if (!Modifier.isStatic(main.getModifiers()) || !main.trySetAccessible()) {
                throw new NoSuchMethodException("no accessible static main(String[]) in " + args[0]);
            }
        } catch (ReflectiveOperationException e) {
            System.err.println("jshm child: cannot run " + args[0] + ": " + e);
            System.exit(UNCAUGHT_EXCEPTION_STATUS);
            return;
        }
        try {
            main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            System.err.print("jshm child " + JvmProcess.currentProcessName() + ": uncaught ");
            e.getCause().printStackTrace();
            System.exit(UNCAUGHT_EXCEPTION_STATUS);
        } catch (IllegalAccessException e) {
            System.err.println("jshm child: cannot run " + args[0] + ": " + e);
            System.exit(UNCAUGHT_EXCEPTION_STATUS);
        }
    }

    private static void haltWhenParentDies() {
        InputStream fromParent = System.in;
        try {
            while (fromParent.read() >= 0) {
                // The parent never writes; anything read is ignored.
            }
        } catch (IOException e) {
            // A broken pipe means the same as end-of-file: the parent is gone.
        }
        Runtime.getRuntime().halt(ORPHANED_DAEMON_STATUS);
    }
}
