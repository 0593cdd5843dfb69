package io.jshm.examples;

import io.jshm.core.process.JvmProcess;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The seed's socket server, whose connections are served by a fixed set of worker processes:
 * a pre-forked server. Every worker JVM listens on the same port with {@code SO_REUSEPORT} and
 * the kernel spreads incoming connections across them, so at most {@code workers} connections
 * are served at once, each by a whole process, and a crashed worker takes only its own
 * connection with it. Each line a client sends comes back upper-cased, as in the seed;
 * {@code WHO} answers with the worker's name.
 *
 * <p>{@code java ... io.jshm.examples.EchoServer [workers] [port]}: serves until killed.
 */
public final class EchoServer implements AutoCloseable {
    private final int port;
    private final List<JvmProcess> workers;

    private EchoServer(int port, List<JvmProcess> workers) {
        this.port = port;
        this.workers = workers;
    }

    public static void main(String[] args) throws Exception {
        int workerCount = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int requestedPort = args.length > 1 ? Integer.parseInt(args[1]) : 8081;
        try (EchoServer server = start(workerCount, requestedPort)) {
            System.out.printf("echo server on 127.0.0.1:%d, %d worker processes%n", server.port(), workerCount);
            for (JvmProcess worker : server.workers) {
                worker.join();
            }
        }
    }

    /**
     * Starts {@code workerCount} worker JVMs on {@code port} (0: a free port) and returns once
     * every one of them listens.
     */
    public static EchoServer start(int workerCount, int port) throws IOException, InterruptedException {
        int chosen = port != 0 ? port : freePort();
        List<JvmProcess> workers = new ArrayList<>();
        for (int i = 1; i <= workerCount; i++) {
            // Daemons: workers never outlive the server, even when it is killed with kill -9.
            workers.add(JvmProcess.builder(Worker.class).name("worker-" + i).daemon(true)
                    .args(Integer.toString(chosen)).jvmOptions("-XX:+UseSerialGC", "-Xmx64m").captureOutput().start());
        }
        EchoServer server = new EchoServer(chosen, workers);
        for (JvmProcess worker : workers) {
            server.awaitListening(worker);
        }
        return server;
    }

    public int port() {
        return port;
    }

    /** Stops every worker. */
    @Override
    public void close() {
        workers.forEach(JvmProcess::close);
    }

    private void awaitListening(JvmProcess worker) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!worker.output().contains("listening")) {
            if (!worker.isAlive() || System.nanoTime() > deadline) {
                close();
                throw new IllegalStateException(worker.name() + " did not start listening: " + worker.output());
            }
            Thread.sleep(10);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    /** One worker process: accepts connections on the shared port and serves them one at a time. */
    public static final class Worker {
        private Worker() {
        }

        public static void main(String[] args) throws IOException {
            int port = Integer.parseInt(args[0]);
            String name = JvmProcess.currentProcessName();
            try (ServerSocket listener = new ServerSocket()) {
                listener.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                listener.bind(new InetSocketAddress("127.0.0.1", port), 16);
                System.out.println(name + " listening");
                while (true) {
                    try (Socket connection = listener.accept()) {
                        serve(connection, name);
                    } catch (IOException dropped) {
                        // A client that vanished mid-line costs its own connection, nothing more.
                    }
                }
            }
        }

        private static void serve(Socket connection, String name) throws IOException {
            BufferedReader in = new BufferedReader(new InputStreamReader(connection.getInputStream(), StandardCharsets.UTF_8));
            PrintWriter out = new PrintWriter(connection.getOutputStream(), true, StandardCharsets.UTF_8);
            for (String line; (line = in.readLine()) != null; ) {
                out.println(line.equals("WHO") ? name : line.toUpperCase(Locale.ROOT));
            }
        }
    }
}
