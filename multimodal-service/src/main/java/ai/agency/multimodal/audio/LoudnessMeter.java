package ai.agency.multimodal.audio;

import java.util.ArrayList;
import java.util.List;

/**
 * Streams samples (−1..1, interleaved channels) and measures: RMS and peak in dBFS (full scale = 1.0, so a
 * full-scale sine has RMS −3 dBFS), the share of 20 ms windows whose RMS is below the silence threshold, and sound
 * segments by energy with hysteresis: a segment opens when a window reaches the sound threshold and closes after
 * 200 ms of windows below the silence threshold; segments shorter than 60 ms are dropped.
 */
final class LoudnessMeter {

    static final double FLOOR_DBFS = -120.0;
    private static final double WINDOW_SECONDS = 0.02;
    private static final int HANGOVER_WINDOWS = 10;
    private static final int MIN_SEGMENT_WINDOWS = 3;

    private final int sampleRate;
    private final int channels;
    private final int windowFrames;
    private final double silenceDbfs;
    private final double soundDbfs;
    private final List<Double> windowDbfs = new ArrayList<>();

    private long frames;
    private int channelIndex;
    private int framesInWindow;
    private double windowSquares;
    private double totalSquares;
    private double peak;

    LoudnessMeter(int sampleRate, int channels, double silenceDbfs, double soundDbfs) {
        this.sampleRate = sampleRate;
        this.channels = channels;
        this.windowFrames = Math.max(1, (int) Math.round(sampleRate * WINDOW_SECONDS));
        this.silenceDbfs = silenceDbfs;
        this.soundDbfs = soundDbfs;
    }

    void accept(double sample) {
        double square = sample * sample;
        windowSquares += square;
        totalSquares += square;
        double magnitude = Math.abs(sample);
        if (magnitude > peak) {
            peak = magnitude;
        }
        if (++channelIndex == channels) {
            channelIndex = 0;
            frames++;
            if (++framesInWindow == windowFrames) {
                closeWindow();
            }
        }
    }

    long frames() {
        return frames;
    }

    private void closeWindow() {
        windowDbfs.add(dbfs(Math.sqrt(windowSquares / ((double) framesInWindow * channels))));
        windowSquares = 0;
        framesInWindow = 0;
    }

    record Result(
            double durationSeconds,
            AudioAnalysis.Loudness loudness,
            double silenceRatio,
            List<AudioAnalysis.Segment> segments) {}

    Result finish() {
        if (framesInWindow > 0) {
            closeWindow();
        }
        double duration = (double) frames / sampleRate;
        double rms = frames == 0 ? 0 : Math.sqrt(totalSquares / ((double) frames * channels));
        long silent = windowDbfs.stream().filter(db -> db < silenceDbfs).count();
        double silenceRatio = windowDbfs.isEmpty() ? 1.0 : (double) silent / windowDbfs.size();
        return new Result(
                round(duration, 1000),
                new AudioAnalysis.Loudness(round(dbfs(rms), 100), round(dbfs(peak), 100)),
                round(silenceRatio, 1000),
                segments(duration));
    }

    private List<AudioAnalysis.Segment> segments(double duration) {
        List<AudioAnalysis.Segment> segments = new ArrayList<>();
        int start = -1;
        int quiet = 0;
        int quietSince = -1;
        for (int i = 0; i < windowDbfs.size(); i++) {
            double db = windowDbfs.get(i);
            if (start < 0) {
                if (db >= soundDbfs) {
                    start = i;
                    quiet = 0;
                }
            } else if (db < silenceDbfs) {
                if (quiet++ == 0) {
                    quietSince = i;
                }
                if (quiet >= HANGOVER_WINDOWS) {
                    add(segments, start, quietSince, duration);
                    start = -1;
                }
            } else {
                quiet = 0;
            }
        }
        if (start >= 0) {
            add(segments, start, quiet > 0 ? quietSince : windowDbfs.size(), duration);
        }
        return List.copyOf(segments);
    }

    private void add(List<AudioAnalysis.Segment> segments, int startWindow, int endWindow, double duration) {
        if (endWindow - startWindow < MIN_SEGMENT_WINDOWS) {
            return;
        }
        double seconds = (double) windowFrames / sampleRate;
        segments.add(new AudioAnalysis.Segment(
                round(startWindow * seconds, 1000), round(Math.min(duration, endWindow * seconds), 1000)));
    }

    static double dbfs(double amplitude) {
        return amplitude <= 0 ? FLOOR_DBFS : Math.max(FLOOR_DBFS, 20 * Math.log10(amplitude));
    }

    private static double round(double value, int scale) {
        return Math.round(value * scale) / (double) scale;
    }
}
