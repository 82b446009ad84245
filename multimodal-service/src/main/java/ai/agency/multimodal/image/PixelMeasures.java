package ai.agency.multimodal.image;

import java.awt.image.BufferedImage;

/**
 * Brightness (mean Rec. 709 luma, 0..1), sharpness (variance of the 3×3 Laplacian of the luma, 0..255 scale; higher
 * is sharper) and the perceptual hash (pHash: luma averaged down to 32×32, 2-D DCT-II, the 8×8 lowest frequencies
 * without the DC term compared with their median, 64 bits in hex; similar images differ in few bits).
 */
final class PixelMeasures {

    private PixelMeasures() {}

    static double[][] luma(BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        double[][] luma = new double[height][width];
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            image.getRGB(0, y, width, 1, row, 0, width);
            for (int x = 0; x < width; x++) {
                int argb = row[x];
                luma[y][x] = 0.2126 * ((argb >> 16) & 0xFF) + 0.7152 * ((argb >> 8) & 0xFF) + 0.0722 * (argb & 0xFF);
            }
        }
        return luma;
    }

    static double brightness(double[][] luma) {
        double sum = 0;
        long count = 0;
        for (double[] row : luma) {
            for (double value : row) {
                sum += value;
                count++;
            }
        }
        return count == 0 ? 0 : sum / count / 255.0;
    }

    static double sharpness(double[][] luma) {
        int height = luma.length;
        int width = height == 0 ? 0 : luma[0].length;
        if (width < 3 || height < 3) {
            return 0;
        }
        double sum = 0;
        double sumSquares = 0;
        long count = 0;
        for (int y = 1; y < height - 1; y++) {
            for (int x = 1; x < width - 1; x++) {
                double laplacian = luma[y - 1][x] + luma[y + 1][x] + luma[y][x - 1] + luma[y][x + 1] - 4 * luma[y][x];
                sum += laplacian;
                sumSquares += laplacian * laplacian;
                count++;
            }
        }
        double mean = sum / count;
        return sumSquares / count - mean * mean;
    }

    static String perceptualHash(double[][] luma) {
        int height = luma.length;
        int width = luma[0].length;
        double[][] small = new double[32][32];
        for (int y = 0; y < 32; y++) {
            int y0 = y * height / 32;
            int y1 = Math.max(y0 + 1, (y + 1) * height / 32);
            for (int x = 0; x < 32; x++) {
                int x0 = x * width / 32;
                int x1 = Math.max(x0 + 1, (x + 1) * width / 32);
                double sum = 0;
                int count = 0;
                for (int yy = y0; yy < y1 && yy < height; yy++) {
                    for (int xx = x0; xx < x1 && xx < width; xx++) {
                        sum += luma[yy][xx];
                        count++;
                    }
                }
                small[y][x] = count == 0 ? 0 : sum / count;
            }
        }
        double[][] dct = new double[8][8];
        for (int u = 0; u < 8; u++) {
            for (int v = 0; v < 8; v++) {
                double sum = 0;
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        sum += small[y][x]
                                * Math.cos((2 * y + 1) * u * Math.PI / 64)
                                * Math.cos((2 * x + 1) * v * Math.PI / 64);
                    }
                }
                dct[u][v] = sum;
            }
        }
        double[] values = new double[63];
        int i = 0;
        for (int u = 0; u < 8; u++) {
            for (int v = 0; v < 8; v++) {
                if (u != 0 || v != 0) {
                    values[i++] = dct[u][v];
                }
            }
        }
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        double median = sorted[31];
        long bits = 0;
        for (int b = 0; b < 63; b++) {
            if (values[b] > median) {
                bits |= 1L << b;
            }
        }
        return String.format("%016x", bits);
    }

    /** Hamming distance between two hex pHashes (0 = identical, 64 = opposite). */
    public static int hashDistance(String a, String b) {
        return Long.bitCount(Long.parseUnsignedLong(a, 16) ^ Long.parseUnsignedLong(b, 16));
    }
}
