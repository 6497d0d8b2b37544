package io.vlmtagger.jobs.testutils;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The TCP sockets this JVM listens on, read from Linux's /proc (the socket inodes among
 * /proc/self/fd, their addresses in /proc/self/net/tcp and tcp6).
 */
public final class ListeningSockets {
    private static final Pattern SOCKET = Pattern.compile("socket:\\[(\\d+)]");

    /** One listening socket: its address as the kernel shows it, port, and whether it is loopback only. */
    public record Listener(String address, int port, boolean loopback, long inode) {}

    private ListeningSockets() {}

    public static boolean available() {
        return Files.isReadable(Path.of("/proc/self/net/tcp")) && Files.isDirectory(Path.of("/proc/self/fd"));
    }

    public static List<Listener> ofThisProcess() throws IOException {
        return of(Path.of("/proc/self"));
    }

    /** The listening sockets of another process of this user. */
    public static List<Listener> ofProcess(long pid) throws IOException {
        return of(Path.of("/proc", Long.toString(pid)));
    }

    private static List<Listener> of(Path proc) throws IOException {
        Set<Long> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    Matcher m = SOCKET.matcher(Files.readSymbolicLink(fd).toString());
                    if (m.matches()) {
                        inodes.add(Long.parseLong(m.group(1)));
                    }
                } catch (IOException closedMeanwhile) {
                    // the descriptor went away while listing
                }
            }
        }
        List<Listener> out = new ArrayList<>();
        for (String table : List.of("net/tcp", "net/tcp6")) {
            Path p = proc.resolve(table);
            if (!Files.isReadable(p)) {
                continue;
            }
            List<String> lines = Files.readAllLines(p);
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                // sl local_address rem_address st tx:rx tr:tm retrnsmt uid timeout inode
                if (!f[3].equals("0A")) {
                    continue;
                }
                long inode = Long.parseLong(f[9]);
                if (!inodes.contains(inode)) {
                    continue;
                }
                String[] addr = f[1].split(":");
                out.add(new Listener(addr[0], Integer.parseInt(addr[1], 16), isLoopback(addr[0]), inode));
            }
        }
        return out;
    }

    private static boolean isLoopback(String hex) {
        if (hex.length() == 8) {
            return hex.endsWith("7F"); // little-endian 127.x.x.x
        }
        return hex.equals("00000000000000000000000001000000") // ::1
                || (hex.startsWith("0000000000000000FFFF0000") && hex.endsWith("7F")); // ::ffff:127.x
    }
}
