// Entry point: mounts the app. Styles come from a stylesheet (no inline styles: the CSP forbids them).
import { render } from 'preact';
import { App } from './app.tsx';
import './styles.css';

render(<App />, document.getElementById('app')!);
