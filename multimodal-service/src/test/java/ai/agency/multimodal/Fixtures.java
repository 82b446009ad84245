package ai.agency.multimodal;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;

/** Test files generated with exact, known content. */
public final class Fixtures {

    private Fixtures() {}

    /** {@code width}×{@code height}, left half pure red, right half pure blue. */
    public static BufferedImage redBlue(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.RED);
        g.fillRect(0, 0, width / 2, height);
        g.setColor(Color.BLUE);
        g.fillRect(width / 2, 0, width - width / 2, height);
        g.dispose();
        return image;
    }

    /** A scene with a diagonal gradient, a white disc and a dark bar, drawn in proportion to its size. */
    public static BufferedImage scene(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(java.awt.RenderingHints.KEY_ANTIALIASING, java.awt.RenderingHints.VALUE_ANTIALIAS_ON);
        g.setPaint(new java.awt.GradientPaint(0, 0, new Color(20, 60, 160), width, height, new Color(240, 200, 60)));
        g.fillRect(0, 0, width, height);
        g.setColor(Color.WHITE);
        g.fillOval(width / 8, height / 8, width / 3, height / 3);
        g.setColor(new Color(30, 30, 30));
        g.fillRect(width / 2, height * 5 / 8, width * 3 / 8, height / 6);
        g.dispose();
        return image;
    }

    public static byte[] encode(BufferedImage image, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * A JPEG with an EXIF block (APP1) inserted after SOI: Make "AgencyCam", Model "Fixture 1", and GPS 48°51'N
     * 2°21'E.
     */
    public static byte[] jpegWithExif() {
        byte[] jpeg = encode(redBlue(64, 48), "jpg");
        ByteBuffer tiff = ByteBuffer.allocate(512).order(ByteOrder.BIG_ENDIAN);
        tiff.put(new byte[] {'M', 'M', 0, 42}).putInt(8);
        // IFD0 at 8: 3 entries
        int ifd0 = 8;
        int ifd0Size = 2 + 3 * 12 + 4;
        int makeAt = ifd0 + ifd0Size; // "AgencyCam\0" (10)
        int modelAt = makeAt + 10; // "Fixture 1\0" (10)
        int gpsAt = modelAt + 10; // GPS IFD
        tiff.putShort((short) 3);
        entry(tiff, 0x010F, 2, 10, makeAt);
        entry(tiff, 0x0110, 2, 10, modelAt);
        entry(tiff, 0x8825, 4, 1, gpsAt);
        tiff.putInt(0);
        tiff.put("AgencyCam\0".getBytes(StandardCharsets.US_ASCII));
        tiff.put("Fixture 1\0".getBytes(StandardCharsets.US_ASCII));
        int gpsSize = 2 + 4 * 12 + 4;
        int latAt = gpsAt + gpsSize;
        int lonAt = latAt + 24;
        tiff.putShort((short) 4);
        tiff.putShort((short) 1).putShort((short) 2).putInt(2).put(new byte[] {'N', 0, 0, 0});
        entry(tiff, 2, 5, 3, latAt);
        tiff.putShort((short) 3).putShort((short) 2).putInt(2).put(new byte[] {'E', 0, 0, 0});
        entry(tiff, 4, 5, 3, lonAt);
        tiff.putInt(0);
        tiff.putInt(48).putInt(1).putInt(51).putInt(1).putInt(0).putInt(1);
        tiff.putInt(2).putInt(1).putInt(21).putInt(1).putInt(0).putInt(1);
        byte[] tiffBytes = Arrays.copyOf(tiff.array(), tiff.position());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0xFF);
        out.write(0xD8);
        out.write(0xFF);
        out.write(0xE1);
        int length = 2 + 6 + tiffBytes.length;
        out.write(length >> 8);
        out.write(length & 0xFF);
        out.writeBytes("Exif\0\0".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(tiffBytes);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    private static void entry(ByteBuffer buffer, int tag, int type, int count, int value) {
        buffer.putShort((short) tag).putShort((short) type).putInt(count).putInt(value);
    }

    /** A valid PNG header (signature + IHDR with a correct CRC) declaring {@code width}×{@code height}, no data. */
    public static byte[] pngHeader(int width, int height) {
        ByteBuffer ihdr = ByteBuffer.allocate(17).order(ByteOrder.BIG_ENDIAN);
        ihdr.put("IHDR".getBytes(StandardCharsets.US_ASCII))
                .putInt(width)
                .putInt(height)
                .put((byte) 8)
                .put((byte) 2)
                .put((byte) 0)
                .put((byte) 0)
                .put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        ByteBuffer png = ByteBuffer.allocate(8 + 4 + 17 + 4).order(ByteOrder.BIG_ENDIAN);
        png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A})
                .putInt(13)
                .put(ihdr.array())
                .putInt((int) crc.getValue());
        return png.array();
    }

    /**
     * 16-bit mono PCM WAV at {@code sampleRate}: {@code toneSeconds} of a {@code frequency} Hz sine with peak
     * {@code peakDbfs}, then {@code silenceSeconds} of digital silence.
     */
    public static byte[] wav(
            int sampleRate, double toneSeconds, double frequency, double peakDbfs, double silenceSeconds) {
        int toneFrames = (int) Math.round(toneSeconds * sampleRate);
        int frames = toneFrames + (int) Math.round(silenceSeconds * sampleRate);
        double amplitude = Math.pow(10, peakDbfs / 20) * 32767;
        ByteBuffer data = ByteBuffer.allocate(44 + frames * 2).order(ByteOrder.LITTLE_ENDIAN);
        data.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + frames * 2);
        data.put("WAVEfmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16);
        data.putShort((short) 1).putShort((short) 1).putInt(sampleRate).putInt(sampleRate * 2);
        data.putShort((short) 2).putShort((short) 16);
        data.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(frames * 2);
        for (int i = 0; i < frames; i++) {
            double value = i < toneFrames ? amplitude * Math.sin(2 * Math.PI * frequency * i / sampleRate) : 0;
            data.putShort((short) Math.round(value));
        }
        return data.array();
    }

    public static byte[] zip() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("readme.txt"));
            zip.write("not audio".getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
