package ai.agency.multimodal.image;

import ai.agency.multimodal.MultimodalProperties;
import ai.agency.multimodal.enrichment.Enrichments;
import ai.agency.multimodal.safety.Rejections;
import ai.agency.multimodal.safety.Sniffer;
import com.drew.imaging.ImageMetadataReader;
import com.drew.imaging.ImageProcessingException;
import com.drew.lang.GeoLocation;
import com.drew.metadata.Directory;
import com.drew.metadata.Metadata;
import com.drew.metadata.Tag;
import com.drew.metadata.exif.ExifIFD0Directory;
import com.drew.metadata.exif.ExifSubIFDDirectory;
import com.drew.metadata.exif.GpsDirectory;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;

/**
 * Decodes images with ImageIO and the TwelveMonkeys plugins (JPEG incl. CMYK and progressive variants, WebP, TIFF;
 * PNG, GIF and BMP from the JDK). The pixel count is read from the header and checked before any pixel is decoded;
 * images above {@code analysis-pixels} are decoded subsampled, so memory stays bounded.
 */
@Service
public class ImageAnalyzer {

    private static final int MAX_EXIF_VALUE = 256;

    private final MultimodalProperties properties;
    private final Enrichments enrichments;

    public ImageAnalyzer(MultimodalProperties properties, Enrichments enrichments) {
        this.properties = properties;
        this.enrichments = enrichments;
    }

    /** Checks, sniffs and analyses an uploaded part named {@code field}. */
    public ImageAnalysis analyzeUpload(
            String field, org.springframework.web.multipart.@Nullable MultipartFile file, boolean includeGps) {
        ai.agency.multimodal.safety.Upload upload =
                ai.agency.multimodal.safety.Upload.of(field, file, Sniffer.Kind.IMAGE, properties.maxImageSize());
        return analyze(field, upload.format(), upload.bytes(), includeGps);
    }

    public ImageAnalysis analyze(String field, Sniffer.Format format, byte[] bytes, boolean includeGps) {
        BufferedImage image;
        int width;
        int height;
        boolean hasAlpha;
        List<String> warnings = new ArrayList<>();
        try (ImageInputStream input = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(input);
            if (!readers.hasNext()) {
                throw Rejections.unsupported(field, "no decoder for " + format.label());
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(input, true, true);
                width = reader.getWidth(0);
                height = reader.getHeight(0);
                if (width <= 0 || height <= 0) {
                    throw Rejections.unreadable(field, "declares an empty image");
                }
                long pixels = (long) width * height;
                if (pixels > properties.maxImagePixels()) {
                    throw Rejections.tooLarge(
                            field,
                            "declares " + width + "×" + height + " = " + pixels + " pixels; the limit is "
                                    + properties.maxImagePixels());
                }
                ImageReadParam param = reader.getDefaultReadParam();
                int subsampling = (int) Math.ceil(Math.sqrt((double) pixels / properties.analysisPixels()));
                if (subsampling > 1) {
                    param.setSourceSubsampling(subsampling, subsampling, 0, 0);
                }
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                image = reader.read(0, param);
                hasAlpha = image.getColorModel().hasAlpha();
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof ai.agency.common.error.AgencyException agency) {
                throw agency;
            }
            throw Rejections.unreadable(field, "is not a readable " + format.label() + " image (truncated or corrupt)");
        }
        if (warnings.stream().anyMatch(ImageAnalyzer::signalsDamage)) {
            throw Rejections.unreadable(field, "is a damaged " + format.label() + " image: " + warnings.getFirst());
        }
        double[][] luma = PixelMeasures.luma(image);
        Metadata metadata = metadata(bytes);
        List<String> unavailable = new ArrayList<>();
        String caption = null;
        if (enrichments.visionConfigured()) {
            caption = enrichments.caption(bytes, "image/" + format.label()).orElse(null);
        }
        if (caption == null) {
            unavailable.add("caption");
        }
        return new ImageAnalysis(
                format.label(),
                width,
                height,
                hasAlpha,
                ColorClusters.dominant(image, properties.dominantColors()),
                round(PixelMeasures.brightness(luma), 1000),
                round(PixelMeasures.sharpness(luma), 100),
                PixelMeasures.perceptualHash(luma),
                exif(metadata, includeGps),
                includeGps ? gps(metadata) : null,
                caption,
                unavailable);
    }

    /** Hamming distance of two perceptual hashes from this analyser (0..64). */
    public static int hashDistance(String a, String b) {
        return PixelMeasures.hashDistance(a, b);
    }

    private static boolean signalsDamage(String warning) {
        String lower = warning.toLowerCase(Locale.ROOT);
        return lower.contains("premature") || lower.contains("truncat") || lower.contains("corrupt");
    }

    private static Metadata metadata(byte[] bytes) {
        try {
            return ImageMetadataReader.readMetadata(new ByteArrayInputStream(bytes), bytes.length);
        } catch (ImageProcessingException | IOException | RuntimeException e) {
            return new Metadata();
        }
    }

    private static Map<String, String> exif(Metadata metadata, boolean includeGps) {
        Map<String, String> exif = new TreeMap<>();
        List<Class<? extends Directory>> wanted = includeGps
                ? List.of(ExifIFD0Directory.class, ExifSubIFDDirectory.class, GpsDirectory.class)
                : List.of(ExifIFD0Directory.class, ExifSubIFDDirectory.class);
        for (Class<? extends Directory> type : wanted) {
            for (Directory directory : metadata.getDirectoriesOfType(type)) {
                for (Tag tag : directory.getTags()) {
                    String description = tag.getDescription();
                    if (description != null && !description.isBlank() && description.length() <= MAX_EXIF_VALUE) {
                        exif.putIfAbsent(tag.getTagName(), description.strip());
                    }
                }
            }
        }
        return exif;
    }

    private static ImageAnalysis.@Nullable Gps gps(Metadata metadata) {
        GpsDirectory directory = metadata.getFirstDirectoryOfType(GpsDirectory.class);
        GeoLocation location = directory == null ? null : directory.getGeoLocation();
        if (location == null || location.isZero()) {
            return null;
        }
        return new ImageAnalysis.Gps(location.getLatitude(), location.getLongitude());
    }

    private static double round(double value, int scale) {
        return Math.round(value * scale) / (double) scale;
    }
}
