package ai.agency.multimodal.image;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Dominant colours by k-means in CIELAB (a perceptual space: distances approximate visible differences). Up to
 * 16 384 pixels are sampled on a regular grid; centres start by k-means++ with a fixed seed, so the same image gives
 * the same answer; clusters closer than ΔE 10 are merged and those under 1 % dropped. Fully transparent pixels are
 * ignored.
 */
final class ColorClusters {

    private static final int MAX_SAMPLES = 16_384;
    private static final int ITERATIONS = 20;

    private ColorClusters() {}

    static List<ImageAnalysis.DominantColor> dominant(BufferedImage image, int k) {
        int width = image.getWidth();
        int height = image.getHeight();
        double step = Math.max(1.0, Math.sqrt((double) width * height / MAX_SAMPLES));
        List<double[]> lab = new ArrayList<>();
        List<int[]> rgb = new ArrayList<>();
        for (double y = step / 2; y < height; y += step) {
            for (double x = step / 2; x < width; x += step) {
                int argb = image.getRGB((int) x, (int) y);
                if ((argb >>> 24) < 16 && image.getColorModel().hasAlpha()) {
                    continue;
                }
                int[] c = {(argb >> 16) & 0xFF, (argb >> 8) & 0xFF, argb & 0xFF};
                rgb.add(c);
                lab.add(toLab(c));
            }
        }
        if (lab.isEmpty()) {
            return List.of();
        }
        List<double[]> centres = seeds(lab, k);
        int[] assignment = new int[lab.size()];
        for (int iteration = 0; iteration < ITERATIONS; iteration++) {
            boolean changed = assign(lab, centres, assignment) || iteration == 0;
            double[][] sums = new double[centres.size()][3];
            int[] counts = new int[centres.size()];
            for (int i = 0; i < lab.size(); i++) {
                int c = assignment[i];
                counts[c]++;
                for (int d = 0; d < 3; d++) {
                    sums[c][d] += lab.get(i)[d];
                }
            }
            for (int c = 0; c < centres.size(); c++) {
                if (counts[c] > 0) {
                    centres.set(
                            c, new double[] {sums[c][0] / counts[c], sums[c][1] / counts[c], sums[c][2] / counts[c]});
                }
            }
            if (!changed) {
                break;
            }
        }
        // merge centres that look alike (ΔE76 < 10)
        int[] mergedInto = new int[centres.size()];
        for (int c = 0; c < centres.size(); c++) {
            mergedInto[c] = c;
            for (int earlier = 0; earlier < c; earlier++) {
                if (mergedInto[earlier] == earlier && distance(centres.get(c), centres.get(earlier)) < 10) {
                    mergedInto[c] = earlier;
                    break;
                }
            }
        }
        long[][] rgbSums = new long[centres.size()][3];
        int[] counts = new int[centres.size()];
        for (int i = 0; i < lab.size(); i++) {
            int c = mergedInto[assignment[i]];
            counts[c]++;
            for (int d = 0; d < 3; d++) {
                rgbSums[c][d] += rgb.get(i)[d];
            }
        }
        List<ImageAnalysis.DominantColor> colors = new ArrayList<>();
        for (int c = 0; c < centres.size(); c++) {
            double percentage = 100.0 * counts[c] / lab.size();
            if (counts[c] == 0 || percentage < 1.0) {
                continue;
            }
            String hex = String.format(
                    "#%02x%02x%02x",
                    Math.round((double) rgbSums[c][0] / counts[c]),
                    Math.round((double) rgbSums[c][1] / counts[c]),
                    Math.round((double) rgbSums[c][2] / counts[c]));
            colors.add(new ImageAnalysis.DominantColor(hex, Math.round(percentage * 10) / 10.0));
        }
        colors.sort(Comparator.comparingDouble(ImageAnalysis.DominantColor::percentage)
                .reversed());
        return List.copyOf(colors);
    }

    private static List<double[]> seeds(List<double[]> points, int k) {
        Random random = new Random(42);
        List<double[]> centres = new ArrayList<>();
        centres.add(points.get(random.nextInt(points.size())));
        double[] nearest = new double[points.size()];
        while (centres.size() < k) {
            double total = 0;
            double[] last = centres.getLast();
            for (int i = 0; i < points.size(); i++) {
                double d = distance(points.get(i), last);
                nearest[i] = centres.size() == 1 ? d * d : Math.min(nearest[i], d * d);
                total += nearest[i];
            }
            if (total <= 1e-9) {
                break; // fewer distinct colours than k
            }
            double target = random.nextDouble() * total;
            int chosen = 0;
            for (double sum = nearest[0]; sum < target && chosen < points.size() - 1; sum += nearest[++chosen]) {
                // walk to the chosen point
            }
            centres.add(points.get(chosen));
        }
        return centres;
    }

    private static boolean assign(List<double[]> points, List<double[]> centres, int[] assignment) {
        boolean changed = false;
        for (int i = 0; i < points.size(); i++) {
            int best = 0;
            double bestDistance = Double.MAX_VALUE;
            for (int c = 0; c < centres.size(); c++) {
                double d = distance(points.get(i), centres.get(c));
                if (d < bestDistance) {
                    bestDistance = d;
                    best = c;
                }
            }
            if (assignment[i] != best) {
                assignment[i] = best;
                changed = true;
            }
        }
        return changed;
    }

    private static double distance(double[] a, double[] b) {
        double dl = a[0] - b[0];
        double da = a[1] - b[1];
        double db = a[2] - b[2];
        return Math.sqrt(dl * dl + da * da + db * db);
    }

    /** sRGB (D65) to CIELAB. */
    static double[] toLab(int[] rgb) {
        double r = linear(rgb[0]);
        double g = linear(rgb[1]);
        double b = linear(rgb[2]);
        double x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047;
        double y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b;
        double z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883;
        double fx = f(x);
        double fy = f(y);
        double fz = f(z);
        return new double[] {116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)};
    }

    private static double linear(int channel) {
        double c = channel / 255.0;
        return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    }

    private static double f(double t) {
        return t > 216.0 / 24389 ? Math.cbrt(t) : (24389.0 / 27 * t + 16) / 116;
    }
}
