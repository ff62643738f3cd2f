// User Timing marks for DevTools and the page benchmark (bench/page.py). Generic.
//
// measureRendered(name, start) ends the measure once the browser has rendered what the code
// changed: a message posted from inside a frame is handled after that frame's style, layout
// and paint. inFrame: the caller is already inside the frame (a requestAnimationFrame callback).
export function measureRendered(name, start, { inFrame = false } = {}) {
  const end = () => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => performance.measure(name, { start });
    channel.port2.postMessage(null);
  };
  if (inFrame) end(); else requestAnimationFrame(end);
}
