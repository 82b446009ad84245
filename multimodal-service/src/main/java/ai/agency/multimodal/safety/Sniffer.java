package ai.agency.multimodal.safety;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Identifies a file from its first bytes (magic numbers). The file name and the declared content type are never
 * trusted: a ZIP renamed to {@code .wav} is a ZIP.
 */
public final class Sniffer {

    /** What the bytes are. {@code kind} is the modality that can analyse it. */
    public enum Format {
        JPEG(Kind.IMAGE, "jpeg", null),
        PNG(Kind.IMAGE, "png", null),
        GIF(Kind.IMAGE, "gif", null),
        WEBP(Kind.IMAGE, "webp", null),
        BMP(Kind.IMAGE, "bmp", null),
        TIFF(Kind.IMAGE, "tiff", null),
        WAV(Kind.AUDIO, "wav", "wav"),
        AIFF(Kind.AUDIO, "aiff", "aiff"),
        MP3(Kind.AUDIO, "mp3", "mp3"),
        FLAC(Kind.AUDIO, "flac", "flac"),
        OGG(Kind.AUDIO, "ogg", "ogg"),
        AAC(Kind.AUDIO, "aac", "aac"),
        M4A(Kind.AUDIO, "m4a", "mov"),
        MP4(Kind.VIDEO, "mp4", "mov"),
        MOV(Kind.VIDEO, "mov", "mov"),
        WEBM(Kind.VIDEO, "webm", "matroska"),
        MKV(Kind.VIDEO, "mkv", "matroska"),
        AVI(Kind.VIDEO, "avi", "avi"),
        ZIP(Kind.OTHER, "zip", null),
        PDF(Kind.OTHER, "pdf", null);

        private final Kind kind;
        private final String label;
        private final @Nullable String demuxer;

        Format(Kind kind, String label, @Nullable String demuxer) {
            this.kind = kind;
            this.label = label;
            this.demuxer = demuxer;
        }

        public Kind kind() {
            return kind;
        }

        /** The lower-case name reported in responses. */
        public String label() {
            return label;
        }

        /**
         * The ffmpeg demuxer ({@code -f}) that reads this format, or null when ffmpeg never reads it. Giving it
         * explicitly stops ffmpeg from probing the bytes for another format, such as an HLS playlist or a concat
         * script hidden behind an ID3 tag, which would open the files they name.
         */
        public @Nullable String demuxer() {
            return demuxer;
        }
    }

    public enum Kind {
        IMAGE,
        AUDIO,
        VIDEO,
        OTHER
    }

    private Sniffer() {}

    /** The format of {@code head} (the first bytes of a file; 64 are enough), or empty when unknown. */
    public static Optional<Format> sniff(byte[] head) {
        if (startsWith(head, 0, 0xFF, 0xD8, 0xFF)) {
            return Optional.of(Format.JPEG);
        }
        if (startsWith(head, 0, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return Optional.of(Format.PNG);
        }
        if (ascii(head, 0, "GIF87a") || ascii(head, 0, "GIF89a")) {
            return Optional.of(Format.GIF);
        }
        if (ascii(head, 0, "RIFF") && ascii(head, 8, "WEBP")) {
            return Optional.of(Format.WEBP);
        }
        if (ascii(head, 0, "RIFF") && ascii(head, 8, "WAVE")) {
            return Optional.of(Format.WAV);
        }
        if (ascii(head, 0, "RIFF") && ascii(head, 8, "AVI ")) {
            return Optional.of(Format.AVI);
        }
        if (ascii(head, 0, "FORM") && (ascii(head, 8, "AIFF") || ascii(head, 8, "AIFC"))) {
            return Optional.of(Format.AIFF);
        }
        if (ascii(head, 0, "BM") && head.length >= 14 && head[6] == 0 && head[7] == 0 && head[8] == 0 && head[9] == 0) {
            return Optional.of(Format.BMP);
        }
        if (startsWith(head, 0, 'I', 'I', 42, 0) || startsWith(head, 0, 'M', 'M', 0, 42)) {
            return Optional.of(Format.TIFF);
        }
        if (ascii(head, 0, "fLaC")) {
            return Optional.of(Format.FLAC);
        }
        if (ascii(head, 0, "OggS")) {
            return Optional.of(Format.OGG);
        }
        if (ascii(head, 0, "ID3")) {
            return Optional.of(Format.MP3);
        }
        if (ascii(head, 4, "ftyp")) {
            String brand = head.length >= 12 ? new String(head, 8, 4, StandardCharsets.ISO_8859_1) : "";
            if (brand.startsWith("M4A") || brand.startsWith("M4B")) {
                return Optional.of(Format.M4A);
            }
            return Optional.of(brand.startsWith("qt") ? Format.MOV : Format.MP4);
        }
        if (startsWith(head, 0, 0x1A, 0x45, 0xDF, 0xA3)) {
            return Optional.of(containsAscii(head, "webm") ? Format.WEBM : Format.MKV);
        }
        if (startsWith(head, 0, 'P', 'K', 3, 4) || startsWith(head, 0, 'P', 'K', 5, 6)) {
            return Optional.of(Format.ZIP);
        }
        if (ascii(head, 0, "%PDF")) {
            return Optional.of(Format.PDF);
        }
        if (head.length >= 2 && (head[0] & 0xFF) == 0xFF) {
            int second = head[1] & 0xFF;
            if ((second & 0xF6) == 0xF0) {
                return Optional.of(Format.AAC); // ADTS: sync 0xFFF, layer 00
            }
            if ((second & 0xE0) == 0xE0 && (second & 0x06) != 0) {
                return Optional.of(Format.MP3); // MPEG audio frame sync, layer I-III
            }
        }
        return Optional.empty();
    }

    private static boolean startsWith(byte[] head, int offset, int... bytes) {
        if (head.length < offset + bytes.length) {
            return false;
        }
        for (int i = 0; i < bytes.length; i++) {
            if ((head[offset + i] & 0xFF) != bytes[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean ascii(byte[] head, int offset, String text) {
        int[] bytes = text.chars().toArray();
        return startsWith(head, offset, bytes);
    }

    private static boolean containsAscii(byte[] head, String text) {
        return new String(head, StandardCharsets.ISO_8859_1).contains(text);
    }
}
