// Renders one VRM or MMD model in THA v1 poses for Python (puppeteer/render3d/browser.py), which sends commands
// through GET /next and takes the answers from POST /result (JSON, or the raw RGBA pixels of a render).
import * as THREE from 'three';
import { GLTFLoader } from 'three/addons/loaders/GLTFLoader.js';
import { MMDLoader } from 'three/addons/loaders/MMDLoader.js';
import { VRMLoaderPlugin, VRMUtils } from '@pixiv/three-vrm';

const DEGREES = Math.PI / 180;
let renderer, scene, camera, character;

function answer(body, type = 'application/json') {
  return fetch('../result', {method: 'POST', body, headers: {'Content-Type': type}});
}

function setUp(size) {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = size;
  const options = {alpha: true, premultipliedAlpha: false, preserveDrawingBuffer: true, antialias: true};
  const context = canvas.getContext('webgl2', options);
  if (!context) throw new Error('the browser has no WebGL 2 (start it with SwiftShader: --use-angle=swiftshader)');
  renderer = new THREE.WebGLRenderer({canvas, context, ...options});
  renderer.setClearColor(0x000000, 0);
  renderer.outputColorSpace = THREE.SRGBColorSpace;
  scene = new THREE.Scene();
  scene.add(new THREE.AmbientLight(0xffffff, 0.6 * Math.PI));
  const light = new THREE.DirectionalLight(0xffffff, 0.6 * Math.PI);
  light.position.set(0.3, 1.0, 2.0);
  scene.add(light);
  camera = new THREE.PerspectiveCamera(20, 1, 0.01, 1000);
}

function noCulling(root) {
  // skinned meshes keep their rest pose's bounds: a turned head must not be culled at the frame's edge
  root.traverse((node) => { if (node.isMesh) node.frustumCulled = false; });
}

async function loadVRM(url) {
  const loader = new GLTFLoader();
  loader.register((parser) => new VRMLoaderPlugin(parser));
  const gltf = await loader.loadAsync(url);
  const vrm = gltf.userData.vrm;
  if (!vrm) throw new Error('no VRM data in the file (a plain glTF/GLB model has no humanoid bones)');
  VRMUtils.rotateVRM0(vrm);  // VRM 0.x models face -z; after this every VRM faces the camera at +z
  scene.add(vrm.scene);
  noCulling(vrm.scene);
  const bone = (name) => vrm.humanoid.getNormalizedBoneNode(name);
  const manager = vrm.expressionManager;
  // a binary expression snaps to 0 or 1 at 0.5 (Godette's Blink_L/Blink_R are binary): THA v1's eyes and mouth
  // close gradually, so every expression follows its weight
  if (manager) for (const e of manager.expressions) e.isBinary = false;
  return {
    root: vrm.scene,
    axes: vrm.meta && vrm.meta.metaVersion === '1' ? 'vrm1' : 'vrm0',
    bones: {head: bone('head'), neck: bone('neck')},
    expressions: manager ? manager.expressions.map((e) => e.expressionName) : [],
    setWeights(weights) {
      if (manager) {
        for (const e of manager.expressions) manager.setValue(e.expressionName, weights[e.expressionName] || 0);
      }
    },
    update() {  // bones and expressions only: spring bones and look-at stay still, so a pose gives the same pixels
      vrm.humanoid.update();
      if (manager) manager.update();
    },
  };
}

async function loadMMD(url) {
  const mesh = await new MMDLoader().loadAsync(url);
  scene.add(mesh);
  noCulling(mesh);
  const bone = (names) => mesh.skeleton.bones.find((b) => names.includes(b.name)) || null;
  const dictionary = mesh.morphTargetDictionary || {};
  return {
    root: mesh,
    axes: 'mmd',
    bones: {head: bone(['頭', 'head', 'Head']), neck: bone(['首', 'neck', 'Neck'])},
    expressions: Object.keys(dictionary),
    setWeights(weights) {
      for (const [name, index] of Object.entries(dictionary)) mesh.morphTargetInfluences[index] = weights[name] || 0;
    },
    update() {},
  };
}

function describe() {
  scene.updateMatrixWorld(true);
  const box = new THREE.Box3().setFromObject(character.root);
  const head = character.bones.head ? character.bones.head.getWorldPosition(new THREE.Vector3()) : null;
  return {expressions: character.expressions, axes: character.axes, head: head && head.toArray(),
          neck: !!character.bones.neck,
          box: [box.min.toArray(), box.max.toArray()]};
}

function pose(command) {
  // THA v1: head_x, head_y turn the head bone (x, y), neck_z the neck bone (z), each by value × 15°; the signs
  // come from Python, which checks each direction on the rendered landmarks
  const [headX, headY, neckZ] = command.rotation;
  const {head, neck} = character.bones;
  head.rotation.set(headX * 15 * DEGREES, headY * 15 * DEGREES, 0);
  if (neck) neck.rotation.set(0, 0, neckZ * 15 * DEGREES);
  character.setWeights(command.weights);
  character.update();
}

function view(command) {
  const {position, fov, offset, size} = command.view;  // offset: [full size, x, y] of THREE's setViewOffset
  camera.fov = fov;
  camera.position.fromArray(position);
  camera.lookAt(position[0], position[1], position[2] - 1);  // straight ahead, along -z
  camera.setViewOffset(offset[0], offset[0], offset[1], offset[2], size, size);
  camera.updateProjectionMatrix();
}

function render() {
  renderer.render(scene, camera);
  const gl = renderer.getContext();
  const size = gl.drawingBufferWidth;
  const pixels = new Uint8Array(size * size * 4);
  gl.readPixels(0, 0, size, size, gl.RGBA, gl.UNSIGNED_BYTE, pixels);  // bottom row first
  return pixels;
}

const handlers = {
  async load(command) {
    setUp(command.size);
    try {
      character = command.format === 'vrm' ? await loadVRM(command.url) : await loadMMD(command.url);
    } catch (e) {
      throw new Error(`cannot load the model (${(e && e.message) || e})`);
    }
    if (!character.bones.head) throw new Error('the model has no head bone (VRM "head", MMD "頭")');
    await answer(JSON.stringify(describe()));
  },
  async render(command) {
    pose(command);
    view(command);
    await answer(render(), 'application/octet-stream');
  },
};

async function serve() {
  for (;;) {
    const command = await (await fetch('../next')).json();
    if (command.kind === 'quit') return;
    try {
      await handlers[command.kind](command);
    } catch (e) {
      await fetch('../error', {method: 'POST', body: String((e && e.message) || e)});
    }
  }
}

serve();
