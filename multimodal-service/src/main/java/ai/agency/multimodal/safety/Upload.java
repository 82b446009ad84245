package ai.agency.multimodal.safety;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;
import org.springframework.util.unit.DataSize;
import org.springframework.web.multipart.MultipartFile;

/**
 * An uploaded file that passed the first checks: present, not empty, within the size limit, and sniffed from its
 * bytes as a format of the expected kind.
 */
public record Upload(String field, Sniffer.Format format, long size, MultipartFile file) {

    /**
     * Checks {@code file} (the multipart part named {@code field}) and sniffs its format.
     *
     * @throws ai.agency.common.error.AgencyException 400 when empty, 413 when too large, 415 when not of
     *     {@code expected} kind
     */
    public static Upload of(String field, @Nullable MultipartFile file, Sniffer.Kind expected, DataSize limit) {
        if (file == null || file.isEmpty()) {
            throw Rejections.empty(field);
        }
        if (file.getSize() > limit.toBytes()) {
            throw Rejections.tooLarge(
                    field, "is " + file.getSize() + " bytes; the limit is " + limit.toBytes() + " bytes");
        }
        byte[] head = new byte[64];
        int read;
        try (InputStream in = file.getInputStream()) {
            read = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            throw Rejections.unreadable(field, "could not be read");
        }
        Sniffer.Format format = Sniffer.sniff(Arrays.copyOf(head, read))
                .orElseThrow(() -> Rejections.unsupported(
                        field, "content is not a recognised " + expected.name().toLowerCase() + " format"));
        if (format.kind() != expected) {
            throw Rejections.unsupported(
                    field,
                    "content is " + format.label() + ", not a "
                            + expected.name().toLowerCase() + " (checked from its bytes, not its name)");
        }
        return new Upload(field, format, file.getSize(), file);
    }

    public byte[] bytes() {
        try {
            return file.getBytes();
        } catch (IOException e) {
            throw Rejections.unreadable(field, "could not be read");
        }
    }

    /** Copies the upload to a new temporary file; the caller deletes it. */
    public Path toTempFile() {
        try {
            Path path = Files.createTempFile("agency-mm-", "." + format.label());
            try (InputStream in = file.getInputStream()) {
                Files.copy(in, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            return path;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
