"""The flow matrix's colours (issue 30 made their scale and painting read the matrix in place):
the log scale spans the positive values of the rows it is given, and each painted pixel is that
scale's colour for the API's number."""

from .helpers import api, run, settled

SCALES = """async () => {
  const { magnitudeScale } = await import('/static/js/config.js');
  const domain = (values) => magnitudeScale(values).domain();
  return { rows: domain([[0, 2, 0.25], [3, 0, null]]), flat: domain([0, 2, 0.25, 3, 0]),
           none: domain([[0, 0], [null, -1]]), one: domain([[0, 4], [4, 0]]) };
}"""


def test_the_magnitude_scale_spans_the_positive_numbers_of_rows_or_a_list(page):
    page.goto(page.base + "/")
    got = settled(page, SCALES)
    assert got["rows"] == got["flat"] == [0.25, 3]
    assert got["none"] == [1e-12, 1]
    assert got["one"] == [0.4, 4]


def test_the_flow_matrix_paints_each_cell_in_the_scales_colour_of_the_apis_number(page):
    text = "abcabcab"
    page.goto(page.base + "/")
    run(page, text, len(text) - 1, hidden_size=4)
    F = api(page, sequence=text, hidden_size=4, include=["auto"])["flows"]["h"]
    painted = settled(page, """async () => {
        const { magnitudeScale } = await import('/static/js/config.js');
        const canvas = document.querySelector('#flow-panel-body .heatmap canvas');
        const frame = canvas.closest('.heatmap');
        const cell = canvas.width / +frame.dataset.cols;
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        const pixel = (r, c) => { const k = 4 * (Math.floor((r + 0.5) * cell) * canvas.width + Math.floor((c + 0.5) * cell));
                                  return [data[k], data[k + 1], data[k + 2], data[k + 3]]; };
        return { rows: +frame.dataset.rows, cols: +frame.dataset.cols, pixel: [...Array(+frame.dataset.rows).keys()].map(
            (r) => [...Array(+frame.dataset.cols).keys()].map((c) => pixel(r, c))) };
    }""")
    assert painted["rows"] == painted["cols"] == len(F)
    positive = [v for row in F for v in row if v > 0]
    brightest = max(positive)
    for r, row in enumerate(F):
        for c, value in enumerate(row):
            if value == 0:
                assert painted["pixel"][r][c][3] == 0  # blank
            elif value == brightest:
                assert painted["pixel"][r][c][:3] == [253, 231, 37]  # viridis's top, #fde725
            else:
                assert painted["pixel"][r][c][3] == 255
    # viridis's green rises from its dark end to its yellow one: on a log scale, a larger error is
    # never painted less green than a smaller one, and the smallest and largest are its two ends
    cells = sorted((value, painted["pixel"][r][c][1]) for r, row in enumerate(F) for c, value in enumerate(row)
                   if value > 0)
    greens = [green for _, green in cells]
    assert greens == sorted(greens)
    assert greens[0] < 10 and greens[-1] == 231  # #440154 and #fde725
