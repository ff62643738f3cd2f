// Your own model in, your view out. Import: a dropped, chosen or pasted .json of weights
// (canonical, a PyTorch state_dict, Keras weights, or a file this page exported), checked and
// mapped by the server (/api/v1/convert); the cell follows the model. Export: each panel as SVG
// or PNG, the answer and the weights as JSON, the request as curl. setupImportExport wires both
// to the page: imported weights fix the cell, H, the seed and the forget bias, so the form
// follows them and locks those fields until the seeded weights are back.
import * as controls from '../controls/controls.js';
import { curlCommand, download, jsonBlob, panelSVG, svgToPNG } from './export.js';
import { canonicalImport, keepImport, keptImport } from './imported.js';
import { forget } from '../state/keep.js';
import { cellInfo } from '../state/meta.js';
import { toRequest } from '../state/state.js';

const $ = (id) => document.getElementById(id);
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

// A file holds a weights dict, or {weights, vocab?, cell?, activation?} as the page exports.
export function unwrap(data) {
  if (isObject(data.weights)) {
    return { weights: data.weights, vocab: data.vocab ?? null, cell: data.cell ?? null, activation: data.activation ?? null };
  }
  return { weights: data, vocab: null, cell: null, activation: null };
}

const FORMAT_TITLES = { canonical: 'canonical (U, W, b, V, c)', pytorch: 'PyTorch state_dict', keras: 'Keras weights' };

export function describeImport(found) {
  const sizes = `D = ${found.arrays.U[0].length}, H = ${found.arrays.V[0].length}, K = ${found.arrays.V.length}`;
  return `${found.name ? `${found.name}: ` : ''}${FORMAT_TITLES[found.format]} of ${found.cell === 'lstm' ? 'an' : 'a'} ${cellInfo(found.cell).title}, ${sizes}`
    + `${found.vocab ? `, vocabulary of ${found.vocab.length}` : ''}.`;
}

export function createImporter({ askJSON, onImport, onForget }) {
  const box = $('import');
  const error = $('error-import');
  const status = $('import-status');
  const mapping = $('import-mapping');

  function fail(message) {
    error.textContent = message;
    box.open = true;
  }

  async function use(text, name) {
    error.textContent = '';
    let data;
    try {
      data = JSON.parse(text); // data only: nothing in a file is ever run
    } catch (e) {
      fail(`${name}: is not valid JSON (${e.message})`);
      return;
    }
    if (!isObject(data)) { fail(`${name}: must be a JSON object of named arrays, such as {k: v.tolist()} of a state_dict`); return; }
    const { weights, vocab, cell, activation } = unwrap(data);
    status.textContent = 'Checking the weights…';
    const body = { weights, to: 'canonical', ...(cell ? { cell } : {}) };
    try {
      const { ok, status: code, data: answer } = await askJSON('/api/v1/convert', body, 'import');
      status.textContent = '';
      if (!ok) { fail(answer?.detail?.map((d) => d.msg).join(' ') ?? `The server answered ${code}.`); return; }
      const found = { ...answer.imported, arrays: answer.weights, vocab, activation, name };
      show(found);
      onImport(found);
    } catch (e) {
      if (e.name !== 'AbortError') fail(`Could not reach the server: ${e.message}`);
    }
  }

  function show(found) {
    status.textContent = `Using ${describeImport(found)}`;
    mapping.replaceChildren(...Object.entries(found.mapping).map(([param, from]) => {
      const item = document.createElement('li');
      item.textContent = `${param} ← ${from}`;
      return item;
    }), ...found.notes.map((note) => {
      const item = document.createElement('li');
      item.textContent = note;
      return item;
    }));
    $('import-forget').hidden = false;
  }

  const readFile = async (file) => use(await file.text(), file.name);
  $('import-file').addEventListener('change', (event) => {
    const [file] = event.target.files;
    if (file) readFile(file);
    event.target.value = '';
  });
  $('import-use').addEventListener('click', () => use($('import-text').value, 'the pasted text'));
  $('import-forget').addEventListener('click', () => {
    status.textContent = 'Back to the seeded weights.';
    mapping.replaceChildren();
    $('import-forget').hidden = true;
    onForget();
  });
  // a .json dropped anywhere on the page is read as weights
  document.addEventListener('dragover', (event) => {
    if ([...event.dataTransfer.types].includes('Files')) { event.preventDefault(); box.classList.add('dropping'); }
  });
  document.addEventListener('dragleave', () => box.classList.remove('dropping'));
  document.addEventListener('drop', (event) => {
    box.classList.remove('dropping');
    const [file] = event.dataTransfer.files;
    if (!file) return;
    event.preventDefault();
    box.open = true;
    readFile(file);
  });
  return { show };
}

// The panels that export, by the menu's data-panel names.
const PANELS = {
  network: { id: 'network-panel', title: 'The network unfolded in time', legends: ['legends'] },
  flows: { id: 'flow-panel-body', title: 'Error flows F[s][t]' },
  gradient: { id: 'gradient-panel-body', title: 'Gradient: each step\'s contribution' },
  gain: { id: 'explorer-panel-body', title: 'Why errors vanish or explode' },
  training: { id: 'train-views', title: 'Training: the loss J', empty: 'No training yet: press ▶ Train, then export the curve.' },
};

// flush(): brings every panel up to date (one out of view may be behind the store).
export function createExporter({ askJSON, state, request, weights, flush = () => {} }) {
  const menu = $('export-menu');
  const say = (text) => { $('export-status').textContent = text; };

  async function exportPanel(name, as) {
    const { id, title, legends = [], empty } = PANELS[name];
    const svg = panelSVG($(id), { title, legends: legends.map($) });
    if (!svg.parts || (empty && !$(id).querySelector('svg path.loss-line'))) {
      say(empty ?? `Nothing to export yet: the ${name} panel has drawn nothing.`);
      return;
    }
    if (as === 'svg') download(new Blob([svg.text], { type: 'image/svg+xml' }), `rnn-unfolded-${name}.svg`);
    else download(await svgToPNG(svg), `rnn-unfolded-${name}.png`);
    say(`Saved the ${name} panel as ${as.toUpperCase()}.`);
  }

  async function exportWeights(to) {
    const current = await weights();
    if (!current) { say('The weights could not be read; run the network first.'); return; }
    const { model } = state();
    if (to === 'canonical') {
      const file = { cell: model.cell, activation: model.config.activation, vocab: model.response.vocab, weights: current };
      download(jsonBlob(file), `rnn-unfolded-weights-${model.cell}.json`);
    } else {
      const { ok, data } = await askJSON('/api/v1/convert', { weights: current, cell: model.cell, to }, 'export');
      if (!ok) { say(data?.detail?.[0]?.msg ?? 'The weights could not be converted.'); return; }
      download(jsonBlob(data.weights), `rnn-unfolded-${to === 'pytorch' ? 'state_dict' : 'keras'}-${model.cell}.json`);
    }
    say(`Saved the weights${{ pytorch: ' as a PyTorch state_dict', keras: ' for Keras' }[to] ?? ''}.`);
  }

  function showCurl() {
    $('curl-text').value = curlCommand('/api/v1/unfold', request());
    $('curl-dialog').showModal();
    $('curl-text').select();
  }

  const actions = {
    answer: () => { download(jsonBlob(state().model.response), 'rnn-unfolded-answer.json'); say('Saved the answer as JSON.'); },
    weights: () => exportWeights('canonical'),
    'weights-pytorch': () => exportWeights('pytorch'),
    'weights-keras': () => exportWeights('keras'),
    curl: showCurl,
  };
  // the menu closes on Escape and on a click elsewhere, as menus do
  document.addEventListener('click', (event) => { if (!menu.contains(event.target)) menu.open = false; });
  menu.addEventListener('keydown', (event) => { if (event.key === 'Escape') { menu.open = false; menu.querySelector('summary').focus(); } });
  menu.addEventListener('click', async (event) => {
    const item = event.target.closest('button[data-export]');
    if (!item) return;
    if (!state().model) { say('Nothing to export yet: run the network first.'); return; }
    menu.open = false;
    const [what, as] = item.dataset.export.split(':');
    flush();
    try {
      if (PANELS[what]) await exportPanel(what, as);
      else await actions[what]();
    } catch (error) {
      say(`Export failed: ${error.message}`);
    }
  });
  $('curl-copy').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText($('curl-text').value);
      $('curl-copied').textContent = 'Copied.';
    } catch {
      $('curl-text').select();
      $('curl-copied').textContent = 'Select and copy the command (Ctrl+C).';
    }
  });
  $('curl-close').addEventListener('click', () => $('curl-dialog').close());
}

const SEEDED_FIELDS = ['hidden_size', 'seed', 'forget_bias', 'update_bias'];

// The store's patch for imported weights (null: back to seeded ones): the cell and H follow them.
export function weightsPatch(found) {
  const patch = { weights: found };
  if (found) Object.assign(patch, { cell: found.cell, hidden_size: found.arrays.V[0].length }, found.activation ? { activation: found.activation } : {});
  if (found?.vocab) patch.kind = 'text';
  return patch;
}

// A shipped checkpoint (GET /api/v1/models/{name}) as imported weights.
export function checkpointWeights(name, checkpoint) {
  return canonicalImport({
    cell: checkpoint.cell, weights: checkpoint.weights, name: `trained checkpoint ${name}`,
    notes: [checkpoint.dataset ? `Trained by make models: ${checkpoint.steps} updates on ${checkpoint.dataset.name}, T = ${checkpoint.dataset.length}.`
      : `Trained by make models: ${checkpoint.steps} updates on its text.`],
  });
}

export function lockSeededFields(found) {
  for (const id of SEEDED_FIELDS) {
    $(id).disabled = Boolean(found);
    $(id).title = found ? 'Set by the imported weights (Back to seeded weights frees it)' : '';
  }
}

// trainer: {invalidate(), weights()}; run(): asks for the answer of the store's state;
// flush(): brings every panel up to date before one is exported.
export function setupImportExport({ askJSON, store, trainer, run, flush }) {
  function useWeights(found) {
    store.set(weightsPatch(found));
    controls.writeForm(store.get());
    lockSeededFields(found);
    if (!found) forget('imported');
    else if (!keepImport(found)) $('import-status').textContent += ' (Too large to be kept if the page is reloaded.)';
    trainer.invalidate();
    run();
  }
  const importer = createImporter({ askJSON, onImport: useWeights, onForget: () => useWeights(null) });
  // weights kept from before a reload: the page's start writes the form from the store
  const kept = keptImport(store.get().cell, store.get().hidden_size);
  try {
    if (kept) {
      importer.show(kept);
      $('import').open = true; // the fields it locks are explained there
      store.set(weightsPatch(kept));
      lockSeededFields(kept);
    }
  } catch { // not what this page kept: the seeded weights stand
    forget('imported');
    store.set({ weights: null });
  }
  createExporter({
    askJSON,
    flush,
    state: () => store.get(),
    request: () => toRequest(store.get()),
    // at full precision: trained, else imported, else the seeded ones asked for with 17 digits
    weights: async () => trainer.weights() ?? store.get().weights?.arrays
      ?? (await askJSON('/api/v1/unfold', { ...toRequest(store.get()), include: [], digits: 17 }, 'export')).data?.weights,
  });
}
