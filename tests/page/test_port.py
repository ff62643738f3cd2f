"""Bring your own model, take your view with you (issue 13), in a real Chromium: a PyTorch file
imported and drawn as PyTorch computes it, each export opened and checked, copy-as-curl run."""

import json
import shlex
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from urllib.parse import urlparse

import httpx
import numpy as np
import pytest
import torch

from .conftest import ARTIFACTS
from .helpers import answer_of, drawn, link_has, panels_current, request_body, run

pytestmark = pytest.mark.browser
TEXT = "hello world"
VOCAB = list("dlrow he")  # the model's own order, not the sorted one
H = 6


def torch_lstm():
    torch.manual_seed(4)
    lstm = torch.nn.LSTM(len(VOCAB), H, batch_first=True).double()
    fc = torch.nn.Linear(H, len(VOCAB)).double()
    return lstm, fc


def state_dict_file(tmp_path, lstm, fc):
    weights = {f"lstm.{k}": v.tolist() for k, v in lstm.state_dict().items()}
    weights |= {f"fc.{k}": v.tolist() for k, v in fc.state_dict().items()}
    path = tmp_path / "my-lstm.json"
    path.write_text(json.dumps({"weights": weights, "vocab": VOCAB}))
    return path


def export(page, item: str, tmp_path):
    """Open the Export menu, choose an item, and return the saved file's path."""
    page.locator("#export-menu summary").click()
    with page.expect_download() as download:
        page.locator(f'button[data-export="{item}"]').click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    return path


def record_answers(page):
    """The page's own unfold answers as they arrive; page.answer() is the newest (the one drawn,
    once the page has drawn)."""
    seen = []

    def on_response(response):
        if urlparse(response.url).path == "/api/v1/unfold" and (request_body(response.request) or {}).get("include") == ["auto"]:
            seen.append(response)

    page.on("response", on_response)
    page.answer = lambda: answer_of(seen[-1])


def test_a_pytorch_file_is_drawn_as_pytorch_computes_it_and_the_cell_follows(page, tmp_path):
    record_answers(page)
    page.goto(page.base)
    run(page, TEXT, len(TEXT) - 1)
    lstm, fc = torch_lstm()
    page.locator("#import summary").click()
    page.set_input_files("#import-file", state_dict_file(tmp_path, lstm, fc))
    page.wait_for_function("() => document.getElementById('summary').textContent.includes('LSTM')")
    drawn(page)
    assert page.locator('input[name="cell"][value="lstm"]').is_checked()  # the cell switch followed the model
    assert page.locator("#hidden_size").input_value() == str(H) and page.locator("#hidden_size").is_disabled()
    status = page.locator("#import-status").text_content()
    assert "my-lstm.json: PyTorch state_dict of an LSTM" in status and f"H = {H}" in status
    assert "b ← lstm.bias_ih_l0 + lstm.bias_hh_l0" in page.locator("#import-mapping").text_content()
    # the drawn numbers are PyTorch's: the page's answer against the module itself
    one_hot = np.eye(len(VOCAB))[[VOCAB.index(ch) for ch in TEXT[:-1]]]
    with torch.no_grad():
        h, _ = lstm(torch.tensor(one_hot)[None])
    answer = page.answer()
    assert answer["vocab"] == VOCAB
    assert np.abs(np.array(answer["forward"]["h"]) - h[0].numpy()).max() < 1e-8  # the page's 9 digits
    page.screenshot(path=ARTIFACTS / "import-pytorch-1280x720.png", full_page=True)
    # a reload keeps the imported model: the same numbers, the same locked fields, said so
    page.reload()
    drawn(page)
    assert np.abs(np.array(page.answer()["forward"]["h"]) - h[0].numpy()).max() < 1e-8
    assert page.locator("#hidden_size").is_disabled() and "my-lstm.json" in page.locator("#import-status").text_content()
    # back to seeded weights: H and the seed are the user's again, and stay so after a reload
    page.get_by_role("button", name="Back to seeded weights").click()
    page.wait_for_function("() => !document.getElementById('hidden_size').disabled")
    drawn(page)
    assert page.answer().get("imported") is None
    page.reload()
    drawn(page)
    assert page.answer().get("imported") is None and not page.locator("#hidden_size").is_disabled()


def test_a_malformed_file_is_refused_naming_the_key_and_the_drawing_stays(page, tmp_path):
    record_answers(page)
    page.goto(page.base)
    run(page, TEXT, len(TEXT) - 1)
    page.allowed_errors = ["422"]
    lstm, fc = torch_lstm()
    weights = json.loads(state_dict_file(tmp_path, lstm, fc).read_text())["weights"]
    weights["lstm.weight_hh_l0"] = weights["lstm.weight_hh_l0"][: 3 * H]  # a GRU's shape
    page.locator("#import summary").click()
    page.fill("#import-text", json.dumps({"weights": weights, "cell": "lstm"}))
    page.get_by_role("button", name="Use these weights").click()
    message = page.locator("#error-import")
    message.filter(has_text="weights.lstm.weight_hh_l0").wait_for()
    assert f"expected ({4 * H}, {H}) for an LSTM with H = {H}, got ({3 * H}, {H}): is this a GRU?" in message.text_content()
    page.fill("#import-text", "{'not': json}")
    page.get_by_role("button", name="Use these weights").click()
    message.filter(has_text="is not valid JSON").wait_for()
    assert page.locator('input[name="cell"][value="rnn"]').is_checked()
    assert page.locator("#import-status").text_content() == ""
    assert page.answer()["config"]["cell"] == "rnn"  # the seeded network is still on screen


def test_exports_open_as_what_they_claim(page, tmp_path):
    record_answers(page)
    page.goto(page.base)
    run(page, TEXT, len(TEXT) - 1)
    svg_path = export(page, "network:svg", tmp_path)
    root = ET.parse(svg_path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = "".join(root.itertext())
    assert "The network unfolded in time" in texts and "J⁽⁹⁾" in texts
    columns = root.findall(".//{http://www.w3.org/2000/svg}g[@data-step]")
    assert len(columns) == len(TEXT) - 1  # every step, also the ones scrolled out of view
    width, height = int(root.get("width")), int(root.get("height"))
    label = columns[0].find(".//{http://www.w3.org/2000/svg}text")
    assert label.get("font-size", "").endswith("px") and label.get("fill")  # the stylesheet's look, written inline
    png_path = export(page, "network:png", tmp_path)
    shutil.copy(png_path, ARTIFACTS / "export-network.png")  # to look at
    png = png_path.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (2 * width, 2 * height)
    shutil.copy(export(page, "flows:png", tmp_path), ARTIFACTS / "export-flows.png")
    flows = ET.parse(export(page, "flows:svg", tmp_path)).getroot()
    assert flows.find(".//{http://www.w3.org/2000/svg}image") is not None  # the heatmap's canvas, as an image
    answer = json.loads(export(page, "answer", tmp_path).read_text())
    assert answer == page.answer()
    state_dict = json.loads(export(page, "weights-pytorch", tmp_path).read_text())
    assert set(state_dict) == {"rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0", "fc.weight", "fc.bias"}
    assert np.abs(np.array(state_dict["rnn.weight_hh_l0"]) - np.array(answer["weights"]["W"])).max() < 1e-8
    keras = json.loads(export(page, "weights-keras", tmp_path).read_text())
    assert set(keras) == {"simple_rnn/kernel", "simple_rnn/recurrent_kernel", "simple_rnn/bias", "dense/kernel", "dense/bias"}
    assert np.abs(np.array(keras["simple_rnn/recurrent_kernel"]).T - np.array(answer["weights"]["W"])).max() < 1e-8
    # the canonical weights file reads back in and gives the same answer
    saved = export(page, "weights", tmp_path)
    page.locator("#import summary").click()
    page.set_input_files("#import-file", saved)
    page.wait_for_function("() => document.getElementById('hidden_size').disabled")
    drawn(page)
    again = page.answer()
    assert again["imported"]["format"] == "canonical"
    assert again["forward"]["h"] == answer["forward"]["h"]
    page.set_viewport_size({"width": 1280, "height": 800})
    page.locator("#export-menu summary").click()
    page.screenshot(path=ARTIFACTS / "export-menu-1280x800.png")


def test_copy_as_curl_runs_and_answers_the_pages_data(page):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    record_answers(page)
    page.goto(page.base)
    typed = "it's a 'quoted' $(echo no)"  # the shell must see all of it as data
    run(page, typed, len(typed) - 1, hidden_size=5)
    page.locator("#export-menu summary").click()
    page.locator('button[data-export="curl"]').click()
    command = page.locator("#curl-text").input_value()
    page.get_by_role("button", name="Copy").click()
    page.locator("#curl-copied").filter(has_text="Copied").wait_for()
    assert page.evaluate("() => navigator.clipboard.readText()") == command
    page.screenshot(path=ARTIFACTS / "copy-as-curl-1280x720.png")
    if shutil.which("curl"):
        out = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=60, check=True).stdout
    else:  # no curl here: send what the command says
        words = shlex.split(command)
        out = httpx.post(words[2], content=words[words.index("-d") + 1], headers={"Content-Type": "application/json"}).text
    assert json.loads(out) == page.answer()
    assert json.loads(out)["vocab"] == sorted(set(typed))


def test_the_notation_switch_relabels_every_panel_keeps_the_numbers_and_survives_a_reload(page):
    page.goto(page.base)
    run(page, TEXT, len(TEXT) - 1)
    numbers = page.locator("#summary").text_content().split("·")[2]  # J = ...
    page.select_option("#notation", "wxh")
    page.locator("#param-chips button", has_text="W_hh").wait_for()
    assert page.locator("#param-chips button").all_text_contents() == ["W_xh", "W_hh", "b_h", "W_hy", "b_y"]
    assert "(∂J/∂W_hh)⁽¹⁾" in page.locator("#mode-explanation").text_content()  # the first view: the middle step
    panels_current(page)
    assert "W_hh is shared by every step" in page.locator("#gradient-panel-body").text_content()
    assert page.locator("svg.network text.edge-label-W").first.text_content() == "Whh"  # W with hh lowered
    assert page.locator('label[for="rho"]').text_content() == "ρ(W_hh)"
    # the "?" explanations too, their markup kept
    help_network = page.locator("#help-network")
    assert "The arrows W_xh, W_hh and W_hy are the same weights" in help_network.text_content()
    assert help_network.locator("b").first.text_content() == "Colour by gradient"
    # the equations: a = b_h + W_hh h + W_xh x, as MathML subscripts
    forward = page.locator("#details-panel-body math").first
    assert forward.locator("msub").all_text_contents()[:3] == ["bh", "Whh", "Wxh"]
    assert page.locator("#summary").text_content().split("·")[2] == numbers
    link_has(page, "notation=wxh")
    page.reload()
    page.wait_for_function("() => document.querySelectorAll('#param-chips button').length === 5")
    assert page.locator("#notation").input_value() == "wxh"
    assert page.locator("#param-chips button").nth(1).text_content() == "W_hh"
    page.select_option("#notation", "textbook")
    page.locator("#param-chips button", has_text="U").wait_for()
    assert "The arrows U, W and V are the same weights" in page.locator("#help-network").text_content()
    page.select_option("#notation", "wxh")
    # PyTorch's letters; the LSTM's output gate stays q (nn.LSTM calls it o, the letter the page
    # gives the output layer's logits: one letter, two meanings, on one page), and the menu says so
    page.locator('input[name="cell"][value="lstm"]').check()
    page.select_option("#notation", "pytorch")
    page.locator("#param-chips button", has_text="W_ih").wait_for()
    assert "q" in page.locator("text.gate-label").all_text_contents()
    assert "o is q" in page.locator('#notation option[value="pytorch"]').text_content()
    panels_current(page)
    lefts = page.locator("#details-panel-body .eq math").evaluate_all("ms => ms.map(m => m.textContent.split('=')[0].trim())")
    assert sum(left.startswith("o") for left in lefts) == 1, lefts  # the logits alone
    page.screenshot(path=ARTIFACTS / "notation-pytorch-lstm-1280x720.png", full_page=True)


def test_keras_weights_dropped_on_the_page_are_read(page, tmp_path):
    """A drop anywhere on the page: Keras's GRU layout (z, r, h blocks, a (2, 3H) bias)."""
    record_answers(page)
    page.goto(page.base)
    run(page, TEXT, len(TEXT) - 1)
    torch.manual_seed(5)
    gru, fc = torch.nn.GRU(len(VOCAB), H, batch_first=True).double(), torch.nn.Linear(H, len(VOCAB)).double()
    sd = {k: v.numpy() for k, v in gru.state_dict().items()}

    def keras_order(a):  # PyTorch's r, z, n as Keras's z, r, h
        r, z, n = np.split(a, 3, axis=0)
        return np.concatenate([z, r, n], axis=0)

    weights = {
        "gru/gru_cell/kernel": keras_order(sd["weight_ih_l0"]).T.tolist(),
        "gru/gru_cell/recurrent_kernel": keras_order(sd["weight_hh_l0"]).T.tolist(),
        "gru/gru_cell/bias": [keras_order(sd["bias_ih_l0"]).tolist(), keras_order(sd["bias_hh_l0"]).tolist()],
        "dense/kernel": fc.weight.detach().numpy().T.tolist(), "dense/bias": fc.bias.tolist(),
    }
    text = json.dumps({"weights": weights, "vocab": VOCAB})
    page.evaluate("""(text) => {
        const data = new DataTransfer();
        data.items.add(new File([text], 'keras-gru.json', { type: 'application/json' }));
        document.querySelector('#network-panel').dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true }));
    }""", text)
    page.wait_for_function("() => document.getElementById('summary').textContent.includes('GRU')")
    drawn(page)
    assert page.locator('input[name="cell"][value="gru"]').is_checked()
    assert "keras-gru.json: Keras weights of a GRU" in page.locator("#import-status").text_content()
    one_hot = np.eye(len(VOCAB))[[VOCAB.index(ch) for ch in TEXT[:-1]]]
    with torch.no_grad():
        h, _ = gru(torch.tensor(one_hot)[None])
    assert np.abs(np.array(page.answer()["forward"]["h"]) - h[0].numpy()).max() < 1e-8


def test_trained_weights_export_at_full_precision(page, tmp_path):
    trained = []
    page.on("response", lambda r: trained.append(r) if r.url.endswith("/api/v1/train") else None)
    record_answers(page)
    page.goto(page.base)
    run(page, "hello hello ", 11)
    page.get_by_role("button", name="▶ Train").click()
    page.wait_for_function("() => /^step ([5-9]\\d|\\d{3,})/.test(document.getElementById('train-step').textContent)", timeout=30000)
    page.locator("#train").click()  # pause
    page.wait_for_function("() => document.getElementById('train').textContent.includes('Continue')")
    newest = answer_of(trained[-1])["weights"]
    saved = json.loads(export(page, "weights", tmp_path).read_text())
    assert saved["cell"] == "rnn" and saved["vocab"] == sorted(set("hello hello "))
    assert saved["weights"] == newest  # every digit: training can go on from the file


def test_an_export_says_when_there_is_nothing_yet_and_the_network_carries_its_legend(page, tmp_path):
    """Issue 25, item 12: the training curve exported before any training was a 1-pixel SVG, and
    the exported network had none of the legends that say what its colours mean."""
    page.goto(page.base)
    run(page, TEXT, len(TEXT) - 1)
    page.locator("#export-menu summary").click()
    downloads = []
    page.on("download", lambda download: downloads.append(download))
    page.locator('button[data-export="training:svg"]').click()
    page.wait_for_function("() => document.getElementById('export-status').textContent.includes('No training yet')")
    assert not downloads
    network = export(page, "network:svg", tmp_path).read_text()
    legend_titles = page.locator("#legends .legend-title").all_text_contents()
    assert legend_titles and all(title in network for title in legend_titles)
    assert network.count("<rect") > 3  # the swatches, beside the background
    picture = export(page, "network:png", tmp_path)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "export-network-with-legend.png").write_bytes(picture.read_bytes())


def test_weights_that_do_not_fit_the_input_are_refused_where_they_were_pasted(page, tmp_path):
    """Issue 25, item 13: a head of the wrong size for the text is refused in the import panel,
    not in a form error off screen, and the panel stops saying the weights are in use."""
    page.goto(page.base)
    run(page, TEXT, len(TEXT) - 1)
    page.allowed_errors = ["422"]
    lstm, fc = torch_lstm()
    weights = {f"lstm.{k}": v.tolist() for k, v in lstm.state_dict().items()}
    wide = torch.nn.Linear(H, len(VOCAB) + 2).double()  # K = 10 for a text of 8 characters
    weights |= {f"fc.{k}": v.tolist() for k, v in wide.state_dict().items()}
    page.locator("#import summary").click()
    page.fill("#import-text", json.dumps({"weights": weights, "vocab": VOCAB}))
    page.get_by_role("button", name="Use these weights").click()
    message = page.locator("#error-import")
    message.filter(has_text="fc.weight in what you pasted").wait_for()
    assert f"got [{len(VOCAB) + 2}, {H}]" in message.text_content()  # the head's K against the text's 8 characters
    assert page.locator("#error-general").text_content() == ""
    assert message.is_visible() and page.locator("#import").get_attribute("open") is not None
    status = page.locator("#import-status").text_content()
    assert status.startswith("Refused for this input") and "Using" not in status
    page.locator("#import").screenshot(path=ARTIFACTS / "import-refused-where-pasted.png")
