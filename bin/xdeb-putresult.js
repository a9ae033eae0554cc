#!/usr/bin/env node
import { launch } from '../dist/cli/main.js';
launch('putresult');
