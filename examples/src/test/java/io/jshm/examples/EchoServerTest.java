package io.jshm.examples;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EchoServerTest {
    @Test
    void aFixedSetOfWorkerProcessesServesEveryConnection() throws Exception {
        int workers = 3;
        int clients = 20;
        try (EchoServer server = EchoServer.start(workers, 0);
             ExecutorService pool = Executors.newFixedThreadPool(6)) {
            List<Future<String>> servedBy = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int client = i;
                servedBy.add(pool.submit(() -> talk(server.port(), client)));
            }
            List<String> names = new ArrayList<>();
            for (Future<String> name : servedBy) {
                names.add(name.get());
            }
            Set<String> distinct = names.stream().collect(Collectors.toSet());
            assertEquals(clients, names.size());
            assertTrue(distinct.size() >= 2 && distinct.size() <= workers, () -> "served by " + distinct);
            assertTrue(distinct.stream().allMatch(name -> name.matches("worker-[1-3]")), distinct::toString);
        }
    }

    /** One client connection: 50 lines, each must come back upper-cased; returns the worker's name. */
    private static String talk(int port, int client) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(60_000);
            PrintWriter out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            for (int j = 0; j < 50; j++) {
                out.println("hello from client " + client + ", line " + j);
                assertEquals("HELLO FROM CLIENT " + client + ", LINE " + j, in.readLine());
            }
            out.println("WHO");
            return in.readLine();
        }
    }
}
