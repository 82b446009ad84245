package ai.agency.multimodal.audio;

import ai.agency.multimodal.MultimodalProperties;
import ai.agency.multimodal.enrichment.Enrichments;
import ai.agency.multimodal.media.Ffmpeg;
import ai.agency.multimodal.safety.Rejections;
import ai.agency.multimodal.safety.Sniffer;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import ws.schild.jave.info.AudioInfo;
import ws.schild.jave.info.MultimediaInfo;

/**
 * Reads PCM WAV and AIFF with {@code javax.sound.sampled}; MP3, AAC/M4A, OGG, FLAC and non-PCM WAV are decoded to
 * PCM by ffmpeg. The duration limit is checked from the header before decoding and again while decoding.
 */
@Service
public class AudioAnalyzer {

    private final MultimodalProperties properties;
    private final Ffmpeg ffmpeg;
    private final Enrichments enrichments;

    public AudioAnalyzer(MultimodalProperties properties, Ffmpeg ffmpeg, Enrichments enrichments) {
        this.properties = properties;
        this.ffmpeg = ffmpeg;
        this.enrichments = enrichments;
    }

    /** Checks, sniffs and analyses an uploaded part named {@code field}. */
    public AudioAnalysis analyzeUpload(String field, org.springframework.web.multipart.@Nullable MultipartFile file)
            throws java.io.IOException {
        ai.agency.multimodal.safety.Upload upload =
                ai.agency.multimodal.safety.Upload.of(field, file, Sniffer.Kind.AUDIO, properties.maxAudioSize());
        Path path = upload.toTempFile();
        try {
            return analyze(field, upload.format(), path);
        } finally {
            java.nio.file.Files.deleteIfExists(path);
        }
    }

    public AudioAnalysis analyze(String field, Sniffer.Format format, Path file) {
        AudioAnalysis measured = null;
        if (format == Sniffer.Format.WAV || format == Sniffer.Format.AIFF) {
            measured = withJavaSound(field, format, file);
        }
        if (measured == null) {
            measured = withFfmpeg(field, format, file);
        }
        List<String> unavailable = new ArrayList<>();
        String transcription = null;
        if (enrichments.transcriptionConfigured() && !measured.segments().isEmpty()) {
            transcription = enrichments.transcribe(file).orElse(null);
        }
        if (transcription == null) {
            unavailable.add("transcription");
        }
        return new AudioAnalysis(
                measured.format(),
                measured.codec(),
                measured.durationSeconds(),
                measured.sampleRate(),
                measured.channels(),
                measured.bitsPerSample(),
                measured.loudness(),
                measured.silenceRatio(),
                measured.segments(),
                transcription,
                unavailable);
    }

    /** Null when Java Sound cannot decode this variant (then ffmpeg tries). */
    private @Nullable AudioAnalysis withJavaSound(String field, Sniffer.Format format, Path file) {
        AudioFileFormat fileFormat;
        try {
            fileFormat = AudioSystem.getAudioFileFormat(file.toFile());
        } catch (UnsupportedAudioFileException | IOException e) {
            return null;
        }
        AudioFormat audio = fileFormat.getFormat();
        AudioFormat.Encoding encoding = audio.getEncoding();
        boolean pcm = encoding.equals(AudioFormat.Encoding.PCM_SIGNED)
                || encoding.equals(AudioFormat.Encoding.PCM_UNSIGNED)
                || (encoding.equals(AudioFormat.Encoding.PCM_FLOAT) && audio.getSampleSizeInBits() == 32);
        int bits = audio.getSampleSizeInBits();
        if (!pcm || bits < 8 || bits > 32 || bits % 8 != 0 || audio.getChannels() < 1) {
            return null;
        }
        int sampleRate = Math.round(audio.getSampleRate());
        if (sampleRate <= 0) {
            throw Rejections.unreadable(field, "declares no sample rate");
        }
        long declaredFrames = fileFormat.getFrameLength();
        if (declaredFrames > 0) {
            checkDuration(field, (double) declaredFrames / sampleRate);
        }
        LoudnessMeter meter = meter(sampleRate, audio.getChannels());
        try (AudioInputStream in =
                AudioSystem.getAudioInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            readPcm(field, in, audio, meter, sampleRate);
        } catch (UnsupportedAudioFileException | IOException e) {
            throw Rejections.unreadable(field, "is not a readable " + format.label() + " file");
        }
        return measured(format.label(), "pcm", sampleRate, audio.getChannels(), bits, meter);
    }

    private AudioAnalysis withFfmpeg(String field, Sniffer.Format format, Path file) {
        try {
            MultimediaInfo info = ffmpeg.probe(file, format);
            AudioInfo audio = info.getAudio();
            if (audio == null || audio.getSamplingRate() <= 0 || audio.getChannels() <= 0) {
                throw Rejections.unreadable(field, "has no audio stream that can be decoded");
            }
            if (info.getDuration() > 0) {
                checkDuration(field, info.getDuration() / 1000.0);
            }
            int sampleRate = audio.getSamplingRate();
            int channels = Math.min(audio.getChannels(), 8);
            LoudnessMeter meter = meter(sampleRate, channels);
            AudioFormat pcm = new AudioFormat(sampleRate, 16, channels, true, false);
            double maxSeconds = properties.maxMediaDuration().toMillis() / 1000.0;
            ffmpeg.decodePcm(
                    file,
                    format,
                    sampleRate,
                    channels,
                    maxSeconds + 1,
                    properties.analysisTimeout(),
                    stream -> readPcm(field, stream, pcm, meter, sampleRate));
            if (meter.frames() == 0) {
                throw Rejections.unreadable(field, "contains no decodable audio");
            }
            return measured(format.label(), audio.getDecoder(), sampleRate, channels, null, meter);
        } catch (Ffmpeg.UnreadableMediaException e) {
            throw Rejections.unreadable(field, "is not a readable " + format.label() + " file");
        }
    }

    private LoudnessMeter meter(int sampleRate, int channels) {
        return new LoudnessMeter(
                sampleRate, channels, properties.silenceThresholdDbfs(), properties.speechThresholdDbfs());
    }

    private AudioAnalysis measured(
            String format, String codec, int sampleRate, int channels, @Nullable Integer bits, LoudnessMeter meter) {
        LoudnessMeter.Result result = meter.finish();
        return new AudioAnalysis(
                format,
                codec,
                result.durationSeconds(),
                sampleRate,
                channels,
                bits,
                result.loudness(),
                result.silenceRatio(),
                result.segments(),
                null,
                List.of());
    }

    private void checkDuration(String field, double seconds) {
        double limit = properties.maxMediaDuration().toMillis() / 1000.0;
        if (seconds > limit) {
            throw Rejections.tooLarge(field, String.format("lasts %.1f s; the limit is %.0f s", seconds, limit));
        }
    }

    /** Decodes interleaved integer or float PCM of {@code format} from {@code in} into {@code meter}. */
    private void readPcm(String field, InputStream in, AudioFormat format, LoudnessMeter meter, int sampleRate)
            throws IOException {
        int bytesPerSample = format.getSampleSizeInBits() / 8;
        boolean bigEndian = format.isBigEndian();
        boolean isFloat = format.getEncoding().equals(AudioFormat.Encoding.PCM_FLOAT);
        boolean unsigned = format.getEncoding().equals(AudioFormat.Encoding.PCM_UNSIGNED)
                || (bytesPerSample == 1 && !format.getEncoding().equals(AudioFormat.Encoding.PCM_SIGNED));
        double scale = Math.pow(2, format.getSampleSizeInBits() - 1);
        long maxFrames = (long) (properties.maxMediaDuration().toMillis() / 1000.0 * sampleRate);
        byte[] buffer = new byte[bytesPerSample * format.getChannels() * 4096];
        int carry = 0;
        int read;
        while ((read = in.read(buffer, carry, buffer.length - carry)) > 0) {
            if (Thread.currentThread().isInterrupted()) {
                throw new IOException("interrupted");
            }
            int available = carry + read;
            int usable = available - available % bytesPerSample;
            for (int offset = 0; offset < usable; offset += bytesPerSample) {
                long value = 0;
                for (int b = 0; b < bytesPerSample; b++) {
                    int index = bigEndian ? offset + b : offset + bytesPerSample - 1 - b;
                    value = (value << 8) | (buffer[index] & 0xFF);
                }
                double sample;
                if (isFloat) {
                    sample = Float.intBitsToFloat((int) value);
                    if (!Double.isFinite(sample)) {
                        sample = 0;
                    }
                    sample = Math.max(-1, Math.min(1, sample));
                } else if (unsigned) {
                    sample = (value - scale) / scale;
                } else {
                    long signBit = 1L << (bytesPerSample * 8 - 1);
                    value = (value ^ signBit) - signBit;
                    sample = value / scale;
                }
                meter.accept(sample);
            }
            carry = available - usable;
            System.arraycopy(buffer, usable, buffer, 0, carry);
            if (meter.frames() > maxFrames) {
                throw Rejections.tooLarge(
                        field,
                        "lasts longer than the limit of "
                                + properties.maxMediaDuration().toSeconds() + " s");
            }
        }
    }
}
