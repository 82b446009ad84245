package ai.agency.multimodal.media;

import ai.agency.multimodal.safety.Sniffer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import ws.schild.jave.EncoderException;
import ws.schild.jave.MultimediaObject;
import ws.schild.jave.info.MultimediaInfo;
import ws.schild.jave.process.ProcessLocator;
import ws.schild.jave.process.ProcessWrapper;
import ws.schild.jave.process.ffmpeg.DefaultFFMPEGLocator;
import ws.schild.jave.process.ffmpeg.FFMPEGProcess;

/**
 * The ffmpeg binary shipped by JAVE ({@code jave-nativebin-linux64}), unpacked to {@code java.io.tmpdir} on first
 * use. Used to read containers and codecs ({@link #probe}), to decode compressed audio to PCM ({@link #decodePcm})
 * and to grab a video frame ({@link #frame}). Every process is killed when it runs past its deadline.
 *
 * <p>Every input is opened with the demuxer of the format sniffed from its bytes and with the {@code file} protocol
 * only ({@link #inputOptions}): ffmpeg never guesses the format itself, so an upload that is really an HLS playlist,
 * a concat script or an SDP file cannot make it read other files or the network.
 */
@Component
public class Ffmpeg {

    /** What ffmpeg could not read: the caller answers with a 422 problem. */
    public static class UnreadableMediaException extends Exception {
        public UnreadableMediaException(String message, @Nullable Throwable cause) {
            super(message, cause);
        }
    }

    /** Consumes decoded output while ffmpeg runs. */
    @FunctionalInterface
    public interface StreamConsumer {
        void accept(InputStream stream) throws IOException;
    }

    private volatile @Nullable ProcessLocator locator;

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

    /**
     * The options that go before {@code -i}: the demuxer of {@code format} and the {@code file} protocol only, so
     * that nothing in the file can make ffmpeg open another input (a playlist's segments, a concat script's files,
     * an SDP's RTP streams, a URL).
     */
    static List<String> inputOptions(Sniffer.Format format) {
        if (format.demuxer() == null) {
            throw new IllegalArgumentException(format.label() + " is not read by ffmpeg");
        }
        return List.of("-protocol_whitelist", "file", "-f", format.demuxer());
    }

    /**
     * Container format, duration, and the first audio and video stream as ffmpeg reports them, read with the demuxer
     * of {@code format}.
     */
    public MultimediaInfo probe(Path file, Sniffer.Format format) throws UnreadableMediaException {
        List<String> options = inputOptions(format);
        ProcessLocator binary = locator();
        // JAVE adds "-i" and the path; the input options go right before them
        ProcessLocator confined = new ProcessLocator() {
            @Override
            public String getExecutablePath() {
                return binary.getExecutablePath();
            }

            @Override
            public ProcessWrapper createExecutor() {
                return new FFMPEGProcess(getExecutablePath()) {
                    @Override
                    public void addArgument(String argument) {
                        if ("-i".equals(argument)) {
                            options.forEach(super::addArgument);
                        }
                        super.addArgument(argument);
                    }
                };
            }
        };
        try {
            return new MultimediaObject(file.toFile(), confined).getInfo();
        } catch (EncoderException | RuntimeException e) {
            throw new UnreadableMediaException("ffmpeg could not read the file", e);
        }
    }

    /**
     * Decodes at most {@code maxSeconds} of the first audio stream of {@code file} to signed 16-bit little-endian PCM
     * with {@code channels} channels at {@code sampleRate} Hz and hands the stream to {@code consumer}.
     */
    public void decodePcm(
            Path file,
            Sniffer.Format format,
            int sampleRate,
            int channels,
            double maxSeconds,
            Duration deadline,
            StreamConsumer consumer)
            throws UnreadableMediaException {
        run(
                file,
                format,
                List.of(),
                List.of(
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
    public byte[] frame(Path file, Sniffer.Format format, double atSeconds, Duration deadline)
            throws UnreadableMediaException {
        byte[][] result = new byte[1][];
        run(
                file,
                format,
                List.of("-ss", String.format(Locale.ROOT, "%.3f", atSeconds)),
                List.of("-frames:v", "1", "-an", "-f", "image2pipe", "-vcodec", "png", "-"),
                deadline,
                stream -> result[0] = stream.readAllBytes());
        if (result[0] == null || result[0].length == 0) {
            throw new UnreadableMediaException("ffmpeg produced no frame", null);
        }
        return result[0];
    }

    private void run(
            Path file,
            Sniffer.Format format,
            List<String> input,
            List<String> output,
            Duration deadline,
            StreamConsumer consumer)
            throws UnreadableMediaException {
        List<String> command = new java.util.ArrayList<>();
        command.add(locator().getExecutablePath());
        command.addAll(List.of("-nostdin", "-v", "error"));
        command.addAll(input);
        command.addAll(inputOptions(format));
        command.addAll(List.of("-i", file.toString()));
        command.addAll(output);
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
