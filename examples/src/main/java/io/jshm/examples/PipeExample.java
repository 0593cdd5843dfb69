package io.jshm.examples;

import io.jshm.core.process.JvmProcess;
import io.jshm.core.region.ShmFile;
import io.jshm.queue.EndOfStreamException;
import io.jshm.queue.Pipe;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The seed's {@code Pipe} lesson: parent and child talk over one duplex pipe, both ways. The
 * parent creates the pipe and the child opens the other end by name. As in the seed, the child
 * speaks first, unasked; then it answers each of the parent's requests (a number: its square).
 * When the parent closes its sending direction the child's next receive ends with
 * {@link EndOfStreamException}, so the child says goodbye and closes its end, which ends the
 * parent's reading the same way.
 *
 * <p>{@code ./jshm example PipeExample [numbers to square...]}
 */
public final class PipeExample {
    private static final String PIPE = "pipe";

    private PipeExample() {
    }

    public static void main(String[] args) throws Exception {
        int[] numbers = args.length > 0 ? Arrays.stream(args).mapToInt(Integer::parseInt).toArray() : new int[] {3, 4, 12};
        ExampleSupport.inNewDirectory("jshm-pipe-", directory -> run(directory, numbers));
    }

    /** Sends each number to the child and returns every message the parent received, in order. */
    static List<String> run(Path directory, int... numbers) throws Exception {
        List<String> heard = new ArrayList<>();
        try (Pipe pipe = Pipe.create(ShmFile.of(directory, PIPE), 4, 256);
             JvmProcess child = ExampleSupport.child(Child.class, "child", directory).start()) {
            try {
                heard.add(receive(pipe));
                for (int number : numbers) {
                    send(pipe, Integer.toString(number));
                    heard.add(receive(pipe));
                }
                pipe.closeForSending();
                heard.addAll(receiveUntilEnd(pipe));
            } finally {
                pipe.unlink();
            }
            heard.forEach(message -> System.out.println("parent heard: " + message));
            ExampleSupport.joinAll(List.of(child));
        }
        return heard;
    }

    /** Opens the pipe's other end, greets, answers requests until the parent stops sending, says goodbye. */
    public static final class Child {
        private Child() {
        }

        public static void main(String[] args) throws InterruptedException {
            try (Pipe pipe = Pipe.open(ShmFile.of(Path.of(args[0]), PIPE))) {
                send(pipe, "hello, parent");
                int answered = 0;
                try {
                    while (true) {
                        String request = receive(pipe);
                        System.out.println("child heard: " + request);
                        int number = Integer.parseInt(request);
                        send(pipe, number + " squared is " + number * number);
                        answered++;
                    }
                } catch (EndOfStreamException end) {
                    send(pipe, "no more questions? I answered " + answered + ". Bye");
                }
            }
        }
    }

    /** What the other end sends until it closes its end. */
    private static List<String> receiveUntilEnd(Pipe pipe) throws InterruptedException {
        List<String> messages = new ArrayList<>();
        try {
            while (true) {
                messages.add(receive(pipe));
            }
        } catch (EndOfStreamException end) {
            return messages;
        }
    }

    private static void send(Pipe pipe, String message) throws InterruptedException {
        if (!pipe.send(message.getBytes(StandardCharsets.UTF_8), ExampleSupport.TIMEOUT)) {
            throw new IllegalStateException("the other end took nothing for " + ExampleSupport.TIMEOUT);
        }
    }

    /** The next message; {@link EndOfStreamException} once the other end closed and everything it sent is read. */
    private static String receive(Pipe pipe) throws InterruptedException {
        byte[] message = pipe.receive(ExampleSupport.TIMEOUT);
        if (message == null) {
            throw new IllegalStateException("the other end said nothing for " + ExampleSupport.TIMEOUT);
        }
        return new String(message, StandardCharsets.UTF_8);
    }
}
