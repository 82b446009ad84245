package ai.agency.common.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.agency.common.error.AgencyException;
import ai.agency.common.error.ErrorType;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class PageTest {

    record Row(long seq, String value) {}

    private static List<Row> rows(int count) {
        return LongStream.rangeClosed(1, count)
                .mapToObj(i -> new Row(i, "item" + i))
                .toList();
    }

    @Test
    void theExtraRowMeansANextPageAfterTheLastRowShown() {
        Page<String> page = Page.of(rows(3), 2, Row::value, r -> Cursor.of(r.seq()));
        assertThat(page.items()).containsExactly("item1", "item2");
        assertThat(Cursor.seq(page.nextCursor())).isEqualTo(2L);
    }

    @Test
    void withoutTheExtraRowItIsTheLastPage() {
        assertThat(Page.of(rows(2), 2, Row::value, r -> Cursor.of(r.seq())))
                .isEqualTo(new Page<>(List.of("item1", "item2"), null));
        assertThat(Page.of(List.<Row>of(), 2, r -> Cursor.of(r.seq()))).isEqualTo(new Page<Row>(List.of(), null));
    }

    @Test
    void rowsThatAreTheItemsThemselves() {
        Page<Row> page = Page.of(rows(5), 4, r -> Cursor.of(r.seq()));
        assertThat(page.items()).extracting(Row::seq).containsExactly(1L, 2L, 3L, 4L);
        assertThat(Cursor.seq(page.nextCursor())).isEqualTo(4L);
    }

    @Test
    void theJsonIsItemsAndANullNextCursorOnTheLastPage() {
        JsonMapper json = JsonMapper.builder().build();
        assertThat(json.writeValueAsString(Page.all(List.of("a"))))
                .isEqualTo("{\"items\":[\"a\"],\"nextCursor\":null}");
        assertThat(json.writeValueAsString(new Page<>(List.of(), "abc")))
                .isEqualTo("{\"items\":[],\"nextCursor\":\"abc\"}");
    }

    @Test
    void limitDefaultsTo20AndAllows1To100() {
        assertThat(Page.limit(null)).isEqualTo(Page.DEFAULT_LIMIT).isEqualTo(20);
        assertThat(Page.limit(1)).isEqualTo(1);
        assertThat(Page.limit(100)).isEqualTo(Page.MAX_LIMIT);
    }

    @Test
    void aLimitOutside1To100IsA400NamingLimit() {
        for (int limit : new int[] {0, -1, 101, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
            AgencyException e = catchThrowableOfType(AgencyException.class, () -> Page.limit(limit));
            assertThat(e).as("limit %d", limit).isNotNull();
            assertThat(e.errorType()).isEqualTo(ErrorType.VALIDATION);
            assertThat(e.status().value()).isEqualTo(400);
            assertThat(e.fieldErrors())
                    .extracting(AgencyException.FieldError::field)
                    .containsExactly("limit");
        }
    }
}
