// The explorer's entry point, loaded by the page the server sends browsers at /explorer and at API URLs.
import './styles.css';
import { startExplorer } from './app.ts';

const root = document.getElementById('explorer');
if (root) startExplorer(root);
