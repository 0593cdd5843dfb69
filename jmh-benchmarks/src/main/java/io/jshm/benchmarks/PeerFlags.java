package io.jshm.benchmarks;

/**
 * The JVM flags the benchmark forks get. jshm needs only {@link #NATIVE_ACCESS} (its futex
 * downcall; {@code benchmarks.jar}'s manifest grants it when run with {@code -jar}, but JMH
 * forks run from the class path). Everything else is for the peers, which reach into JDK
 * internals and do not start on JDK 25 without it: these flags go in benchmark forks only,
 * never in a jshm module.
 */
public final class PeerFlags {
    public static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";
    /** Agrona, Chronicle and JMH itself use sun.misc.Unsafe's memory access, which JDK 25 warns about. */
    public static final String UNSAFE = "--sun-misc-unsafe-memory-access=allow";
    /** Chronicle logs through SLF4J; with no provider on the class path SLF4J prints a warning per fork. */
    public static final String QUIET_SLF4J = "-Dslf4j.internal.verbosity=ERROR";
    /** Chronicle Queue reports each start to Google Analytics unless told not to; a benchmark has no business phoning home. */
    public static final String CHRONICLE_ANALYTICS_OFF = "-Dchronicle.analytics.disable=true";
    public static final String AGRONA_MISC = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";
    // Chronicle's documented set for Java 17 and later (chronicle.software/chronicle-support-java-17) runs from here to
    // CHRONICLE_UTIL. Fewer is not safe: on JDK 25 without access to sun.nio.ch a queue silently opens read-only.
    public static final String CHRONICLE_REF = "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED";
    public static final String CHRONICLE_NIO_CH_EXPORT = "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED";
    public static final String CHRONICLE_MISC = "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED";
    public static final String CHRONICLE_JAVAC = "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED";
    public static final String CHRONICLE_JAVAC_OPEN = "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED";
    public static final String CHRONICLE_LANG = "--add-opens=java.base/java.lang=ALL-UNNAMED";
    public static final String CHRONICLE_REFLECT = "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED";
    public static final String CHRONICLE_IO = "--add-opens=java.base/java.io=ALL-UNNAMED";
    public static final String CHRONICLE_UTIL = "--add-opens=java.base/java.util=ALL-UNNAMED";
    public static final String CHRONICLE_NIO_CH = "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED";
    public static final String CHRONICLE_NIO = "--add-opens=java.base/java.nio=ALL-UNNAMED";

    private PeerFlags() {
    }
}
