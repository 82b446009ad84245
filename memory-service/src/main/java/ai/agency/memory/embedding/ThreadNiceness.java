package ai.agency.memory.embedding;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lowers the calling thread's CPU scheduling priority: its Linux "nice" value, which is per thread, set with libc's
 * {@code setpriority} (through JNA). The model's threads use it. On a machine with few cores, the model thread woken
 * for a search otherwise preempted the request thread that woke it and the PostgreSQL backend answering it; at nice
 * 10 they run first and the model takes the time they leave (measured: search p50 and p95 ~2 ms lower on 2 cores).
 * Raising one's own nice value needs no privilege. Elsewhere than Linux, or when libc cannot be called, it does
 * nothing.
 */
final class ThreadNiceness {

    private static final Logger log = LoggerFactory.getLogger(ThreadNiceness.class);

    /** The libc call. */
    interface LibC extends Library {
        int setpriority(int which, int who, int prio);
    }

    private static final int PRIO_PROCESS = 0; // with a thread id: that thread alone (Linux)
    private static final @Nullable LibC LIBC = load();

    private ThreadNiceness() {}

    private static @Nullable LibC load() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return null;
        }
        try {
            return Native.load("c", LibC.class);
        } catch (RuntimeException | LinkageError e) {
            log.info("Model threads keep the normal priority (libc not callable: {})", e.toString());
            return null;
        }
    }

    /** Sets the calling thread's nice value (1–19; 0 leaves it alone); true if it was applied. */
    static boolean apply(int niceness) {
        if (LIBC == null || niceness <= 0) {
            return false;
        }
        try {
            // /proc/thread-self -> <pid>/task/<tid>
            int thread = Integer.parseInt(Files.readSymbolicLink(Path.of("/proc/thread-self"))
                    .getFileName()
                    .toString());
            return LIBC.setpriority(PRIO_PROCESS, thread, niceness) == 0;
        } catch (IOException | RuntimeException | LinkageError e) {
            return false;
        }
    }
}
