// Play / pause / step / speed / scrubber over three phases: forward (t = 0 … τ), backward
// (t = τ … 0) and sum. Position p runs 0 … 2T: p < T forward at p; p < 2T backward at 2T-1-p; 2T sum.
import { timing } from '../config.js';

const d3 = window.d3;

export function phaseAt(p, steps) {
  if (p < steps) return { phase: 'forward', forwardTo: p, backwardTo: steps, summing: false };
  if (p < 2 * steps) return { phase: 'backward', forwardTo: steps - 1, backwardTo: 2 * steps - 1 - p, summing: false };
  return { phase: 'sum', forwardTo: steps - 1, backwardTo: 0, summing: true };
}

export function createPlayer(container, { onPosition }) {
  const root = d3.select(container);
  const play = root.select('#play');
  const back = root.select('#step-back');
  const forward = root.select('#step-forward');
  const speed = root.select('#speed');
  const scrubber = root.select('#scrubber');
  const label = root.select('#phase-label');
  let steps = 0;
  let position = 0;
  let timer = null;

  const last = () => 2 * steps;
  const frameMs = () => Math.max(30, Math.min(timing.frameMs, 12000 / (2 * steps + 1))) / Number(speed.property('value'));

  function describe(p) {
    const { phase, forwardTo, backwardTo } = phaseAt(p, steps);
    if (phase === 'forward') return `Forward: step ${forwardTo} of ${steps - 1}`;
    if (phase === 'backward') return `Backward: errors reach step ${backwardTo}`;
    return 'Sum: each gradient adds up its step contributions; θ is updated once';
  }

  function go(p) {
    position = Math.max(0, Math.min(last(), p));
    scrubber.property('value', position).attr('aria-valuetext', describe(position));
    label.text(describe(position));
    onPosition(position);
  }

  function stop() {
    if (timer) timer.stop();
    timer = null;
    play.text('▶ Play').attr('aria-pressed', 'false');
  }

  function start() {
    if (position >= last()) go(0);
    play.text('❚❚ Pause').attr('aria-pressed', 'true');
    let elapsed = 0;
    timer = d3.interval((now) => {
      if (now - elapsed < frameMs()) return;
      elapsed = now;
      go(position + 1);
      if (position >= last()) stop();
    }, 16);
  }

  const toggle = () => (timer ? stop() : start());
  play.on('click', toggle);
  back.on('click', () => { stop(); go(position - 1); });
  forward.on('click', () => { stop(); go(position + 1); });
  scrubber.on('input', () => { stop(); go(Number(scrubber.property('value'))); });

  function reset(newSteps) {
    stop();
    steps = newSteps;
    scrubber.attr('max', last());
    go(last());
  }

  return {
    reset, toggle, step: (delta) => { stop(); go(position + delta); }, seek: (p) => { stop(); go(p); }, playing: () => Boolean(timer),
  };
}
