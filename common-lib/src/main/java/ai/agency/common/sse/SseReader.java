package ai.agency.common.sse;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Reads Server-Sent Events from a stream, one event per blank line: {@code event:} (default {@code message}), {@code
 * id:} and {@code data:} (several lines joined with a newline); comment lines ({@code :}) and blank lines with nothing
 * before them are skipped. What {@link SseWriter} writes, this reads.
 */
public final class SseReader {

    /** One event; {@code id} null when it had none, {@code data} its data lines joined ("" for none). */
    public record Event(String name, @Nullable String id, String data) {}

    private final BufferedReader reader;

    public SseReader(InputStream in) {
        this.reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    /** The next event, blocking until its blank line arrives; null at the end of the stream. */
    public @Nullable Event next() throws IOException {
        String event = null;
        String id = null;
        StringBuilder data = new StringBuilder();
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.isEmpty()) {
                if (!data.isEmpty() || event != null) {
                    return new Event(event == null ? "message" : event, id, data.toString());
                }
                id = null;
            } else if (line.startsWith("event:")) {
                event = line.substring(6).strip();
            } else if (line.startsWith("id:")) {
                id = line.substring(3).strip();
            } else if (line.startsWith("data:")) {
                if (!data.isEmpty()) {
                    data.append('\n');
                }
                data.append(line.substring(5).stripLeading());
            }
        }
        return null;
    }
}
