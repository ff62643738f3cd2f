// Whether an element is on screen, kept by one IntersectionObserver rather than read (a read
// after a change forces a layout). Generic.
//
// onEnter(element) is called when a watched element comes into view. An element counts as on
// screen until the observer first says otherwise.
export function createOnscreen(onEnter, { margin = '100px' } = {}) {
  const seen = new WeakMap();
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      const was = seen.get(entry.target);
      seen.set(entry.target, entry.isIntersecting);
      if (entry.isIntersecting && was === false) onEnter(entry.target);
    }
  }, { rootMargin: `${margin} 0px` });
  return {
    watch(element) {
      observer.observe(element);
    },
    isOnscreen: (element) => seen.get(element) !== false,
  };
}
