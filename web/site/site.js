// Small behaviours of the demo site: the phone menu and the model filter. The support widget is its own module.

const toggle = document.querySelector('.nav-toggle');
const nav = document.getElementById('site-nav');
if (toggle && nav) {
  const setOpen = (open) => {
    toggle.setAttribute('aria-expanded', String(open));
    nav.classList.toggle('is-open', open);
  };
  toggle.addEventListener('click', () => setOpen(toggle.getAttribute('aria-expanded') !== 'true'));
  nav.addEventListener('click', (ev) => {
    if (ev.target.closest('a')) setOpen(false);
  });
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') setOpen(false);
  });
}

const chips = document.querySelectorAll('[data-filter]');
const models = document.querySelectorAll('.model[data-kind]');
for (const chip of chips) {
  chip.addEventListener('click', () => {
    const filter = chip.dataset.filter;
    for (const c of chips) {
      const active = c === chip;
      c.classList.toggle('is-active', active);
      c.setAttribute('aria-pressed', String(active));
    }
    for (const m of models) m.hidden = filter !== 'all' && !m.dataset.kind.split(' ').includes(filter);
  });
}

// In AWS mode agents work in Amazon Connect's own workspace: this server has no agent app to sign in to.
fetch('/widget-config').then((res) => (res.ok ? res.json() : null)).then((config) => {
  if (config?.mode === 'aws') document.querySelectorAll('a[href="/agent/"]').forEach((link) => link.remove());
}).catch(() => {});
