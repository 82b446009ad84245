package ai.agency.multimodal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import ws.schild.jave.process.ffmpeg.DefaultFFMPEGLocator;

/** Generates compressed fixtures with the ffmpeg that JAVE bundles (the same binary the service uses). */
public final class MediaTool {

    private MediaTool() {}

    /** Runs ffmpeg with {@code arguments}, the output file last, and returns the output's bytes. */
    public static byte[] ffmpeg(String outputSuffix, String... arguments) {
        try {
            Path output = Files.createTempFile("fixture-", outputSuffix);
            List<String> command = new ArrayList<>();
            command.add(new DefaultFFMPEGLocator().getExecutablePath());
            command.addAll(List.of("-nostdin", "-v", "error", "-y"));
            command.addAll(List.of(arguments));
            command.add(output.toString());
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            String log = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("ffmpeg failed: " + log);
            }
            byte[] bytes = Files.readAllBytes(output);
            Files.delete(output);
            return bytes;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The WAV written to a temporary file (ffmpeg reads inputs from files). */
    public static Path temp(byte[] content, String suffix) {
        try {
            Path path = Files.createTempFile("fixture-", suffix);
            Files.write(path, content);
            path.toFile().deleteOnExit();
            return path;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
