package ai.agency.auth.rights;

import java.io.OutputStream;
import java.util.Arrays;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Writes an export's bytes into {@code account_export_chunks}, one row per {@value #CHUNK} bytes: flat memory. */
final class ChunkOutputStream extends OutputStream {

    static final int CHUNK = 1 << 20;

    private final JdbcClient jdbc;
    private final UUID exportId;
    private final byte[] buffer = new byte[CHUNK];
    private int filled;
    private int seq;
    private long size;

    ChunkOutputStream(JdbcClient jdbc, UUID exportId) {
        this.jdbc = jdbc;
        this.exportId = exportId;
    }

    @Override
    public void write(int b) {
        if (filled == CHUNK) {
            flushChunk();
        }
        buffer[filled++] = (byte) b;
        size++;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        while (length > 0) {
            if (filled == CHUNK) {
                flushChunk();
            }
            int n = Math.min(length, CHUNK - filled);
            System.arraycopy(bytes, offset, buffer, filled, n);
            filled += n;
            offset += n;
            length -= n;
            size += n;
        }
    }

    @Override
    public void close() {
        if (filled > 0) {
            flushChunk();
        }
    }

    long size() {
        return size;
    }

    private void flushChunk() {
        jdbc.sql("INSERT INTO account_export_chunks (export_id, seq, data) VALUES (:id, :seq, :data)")
                .param("id", exportId)
                .param("seq", seq++)
                .param("data", Arrays.copyOf(buffer, filled))
                .update();
        filled = 0;
    }
}
