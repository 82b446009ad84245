package ai.agency.multimodal.media;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;
import ws.schild.jave.EncoderException;
import ws.schild.jave.MultimediaObject;
import ws.schild.jave.info.MultimediaInfo;
import ws.schild.jave.process.ProcessLocator;
import ws.schild.jave.process.ffmpeg.DefaultFFMPEGLocator;

/**
 * The ffmpeg binary shipped by JAVE ({@code jave-nativebin-linux64}), unpacked to {@code java.io.tmpdir} on first
 * use. Used to read containers and codecs ({@link #probe}), to decode compressed audio to PCM ({@link #decodePcm})
 * and to grab a video frame ({@link #frame}). Every process is killed when it runs past its deadline.
 */
@Component
public class Ffmpeg {

    /** What ffmpeg could not read: the caller answers with a 422 problem. */
    public static class UnreadableMediaException extends Exception {
        public UnreadableMediaException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Consumes decoded output while ffmpeg runs. */
    @FunctionalInterface
    public interface StreamConsumer {
        void accept(InputStream stream) throws IOException;
    }

    private volatile ProcessLocator locator;

    private ProcessLocator locator() {
        ProcessLocator current = locator;
        if (current == null) {
            synchronized (this) {
                if (locator == null) {
                    locator = new DefaultFFMPEGLocator();
                }
                current = locator;
            }
        }
        return current;
    }

    /** Container format, duration, and the first audio and video stream as ffmpeg reports them. */
    public MultimediaInfo probe(Path file) throws UnreadableMediaException {
        try {
            return new MultimediaObject(file.toFile(), locator()).getInfo();
        } catch (EncoderException | RuntimeException e) {
            throw new UnreadableMediaException("ffmpeg could not read the file", e);
        }
    }

    /**
     * Decodes at most {@code maxSeconds} of the first audio stream of {@code file} to signed 16-bit little-endian PCM
     * with {@code channels} channels at {@code sampleRate} Hz and hands the stream to {@code consumer}.
     */
    public void decodePcm(
            Path file, int sampleRate, int channels, double maxSeconds, Duration deadline, StreamConsumer consumer)
            throws UnreadableMediaException {
        run(
                List.of(
                        "-nostdin",
                        "-v",
                        "error",
                        "-i",
                        file.toString(),
                        "-t",
                        String.format(Locale.ROOT, "%.3f", maxSeconds),
                        "-vn",
                        "-ac",
                        String.valueOf(channels),
                        "-ar",
                        String.valueOf(sampleRate),
                        "-f",
                        "s16le",
                        "-acodec",
                        "pcm_s16le",
                        "-"),
                deadline,
                consumer);
    }

    /** One video frame at {@code atSeconds}, as PNG bytes. */
    public byte[] frame(Path file, double atSeconds, Duration deadline) throws UnreadableMediaException {
        byte[][] result = new byte[1][];
        run(
                List.of(
                        "-nostdin",
                        "-v",
                        "error",
                        "-ss",
                        String.format(Locale.ROOT, "%.3f", atSeconds),
                        "-i",
                        file.toString(),
                        "-frames:v",
                        "1",
                        "-an",
                        "-f",
                        "image2pipe",
                        "-vcodec",
                        "png",
                        "-"),
                deadline,
                stream -> result[0] = stream.readAllBytes());
        if (result[0] == null || result[0].length == 0) {
            throw new UnreadableMediaException("ffmpeg produced no frame", null);
        }
        return result[0];
    }

    private void run(List<String> arguments, Duration deadline, StreamConsumer consumer)
            throws UnreadableMediaException {
        List<String> command = new java.util.ArrayList<>();
        command.add(locator().getExecutablePath());
        command.addAll(arguments);
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("ffmpeg could not be started", e);
        }
        CompletableFuture.delayedExecutor(deadline.toMillis(), TimeUnit.MILLISECONDS)
                .execute(process::destroyForcibly);
        try (InputStream out = process.getInputStream()) {
            consumer.accept(out);
            if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new UnreadableMediaException("ffmpeg ran past its deadline", null);
            }
            if (process.exitValue() != 0) {
                throw new UnreadableMediaException("ffmpeg failed with exit code " + process.exitValue(), null);
            }
        } catch (IOException e) {
            throw new UnreadableMediaException("ffmpeg output could not be read", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnreadableMediaException("interrupted", e);
        } finally {
            process.destroyForcibly();
        }
    }
}
