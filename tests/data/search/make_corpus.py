#!/usr/bin/env python3
"""Generates the search-quality corpus and its known-item queries.

    python3 tests/data/search/make_corpus.py        # writes corpus.json, queries.tsv, queries_sample.tsv

Deterministic (fixed seed, no clock, no network). Outputs, next to this script:

- corpus.json: an interchange document (``tn import``) of ~400 fictional Japanese talk notes over
  eleven events. Hand-written "anchor" talks carry the rare words the queries look for; generated
  "filler" talks share the common vocabulary (Kubernetes, クラウドネイティブ, 運用, 監視 ...) so
  that a query only succeeds through its rare word. All people and companies are invented.
- queries.tsv: ``class<TAB>query<TAB>expected ids<TAB>flags`` known-item queries over corpus.json.
- queries_sample.tsv: the same over the repository's own sample notes (notes/).

Every expected set is checked here against a reference matcher (NFKC, lower case, katakana
prolonged sound marks dropped, spaces between CJK characters dropped, substring AND over the
searchable fields, with ``"phrases"``, ``-negation``, ``OR`` and the filters). The check is run
on two views of a talk: the narrow one (title, abstract, takeaways, speaker names, tool names,
tags, memo) and a wide one that adds every other text (affiliations, URLs, links, track, event
name ...). Both must give exactly the expected set, so the expected ids do not depend on which
fields an engine chooses to index. The script fails loudly when a query's set is not exact.

A few queries name "traps": talks where the query is only a substring of a different word (フラグ
in デフラグ, 京都 in 東京都, ロール in コントロール). The reference matcher finds them, but they are
deliberately not expected, so an engine that returns them loses precision (and MRR when it ranks
them first). English stemming traps need no annotation: "community" does not occur in a talk that
only says "communication", so that talk is simply not expected.

Query classes: title, fragment (unspaced words of a sentence), katakana-inside, rare-kanji,
one-char, lowercase-en, fullwidth-en (also half-width katakana and decomposed kana), speaker,
ja-en, prolonged (サーバ/サーバー), prefix (run with --prefix), phrase, filter, negation, or,
boundary (the traps above).
"""

import datetime
import json
import os
import random
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))

rng = random.Random(20240615)

# ---------------------------------------------------------------------------------------------
# Events
# ---------------------------------------------------------------------------------------------

EVENTS = [
    # id, name, kind, start, days, location, url
    ("cndt2023", "CloudNative Days Tokyo 2023", "conference", "2023-12-11", 2, "東京・有明",
     "https://event.cloudnativedays.jp/cndt2023"),
    ("sre-next-2023", "SRE NEXT 2023", "conference", "2023-09-29", 1, "東京・池袋",
     "https://sre-next.dev/2023/"),
    ("k8s-meetup-tokyo-61", "Kubernetes Meetup Tokyo #61", "meetup", "2023-10-26", 1, "オンライン",
     "https://k8sjp.connpass.com/"),
    ("phperkaigi-2024", "PHPerKaigi 2024", "conference", "2024-03-07", 3, "東京・中野",
     "https://phperkaigi.jp/2024/"),
    ("devopsdays-tokyo-2024", "DevOpsDays Tokyo 2024", "conference", "2024-04-17", 2, "東京・大井町",
     "https://www.devopsdaystokyo.org/"),
    ("sre-next-2024", "SRE NEXT 2024", "conference", "2024-08-03", 2, "東京・五反田",
     "https://sre-next.dev/2024/"),
    ("cndw2024", "CloudNative Days Winter 2024", "conference", "2024-11-28", 2, "東京・有明",
     "https://event.cloudnativedays.jp/cndw2024"),
    ("platform-eng-meetup-8", "Platform Engineering Meetup #8", "meetup", "2025-02-20", 1, "東京・渋谷",
     "https://platformengineering.connpass.com/"),
    ("o11y-conf-2025", "Observability Conference Tokyo 2025", "conference", "2025-03-19", 1, "東京・日本橋",
     "https://o11y.example.org/2025"),
    ("cn-weekly-2025-03", "Cloud Native Weekly Digest 2025年3月号", "newsletter", "2025-03-31", 1, None,
     None),
    ("kubecon-japan-2025", "KubeCon + CloudNativeCon Japan 2025", "conference", "2025-06-16", 2,
     "東京・台場", "https://events.linuxfoundation.org/kubecon-cloudnativecon-japan/"),
]
EVENT_BY_ID = {e[0]: e for e in EVENTS}


def event_day(event_id, day):
    ev = EVENT_BY_ID[event_id]
    start = datetime.date.fromisoformat(ev[3])
    return (start + datetime.timedelta(days=day % ev[4])).isoformat()


# ---------------------------------------------------------------------------------------------
# Talks
# ---------------------------------------------------------------------------------------------

TALKS = []  # in corpus order
KEYS = {}  # short key -> "event/id"


def split_pair(text):
    name, _, rest = text.partition("|")
    return name.strip(), (rest.strip() or None)


def talk(event, tid, title, speakers=(), abstract=None, takeaways=(), tools=(), tags=(),
         kind="session", lang="ja", memo=None, day=0, key=None, anchor=True, track=None):
    assert re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", tid), tid
    full = f"{event}/{tid}"
    assert full not in KEYS.values(), f"duplicate id {full}"
    t = {"event": event, "id": tid, "kind": kind, "title": title, "date": event_day(event, day),
         "language": lang, "_anchor": anchor}
    if track:
        t["track"] = track
    sp = []
    for s in speakers:
        name, aff = split_pair(s)
        sp.append({"name": name, **({"affiliation": aff} if aff else {})})
    if sp:
        t["speakers"] = sp
    if tags:
        t["tags"] = list(tags)
    if abstract:
        t["abstract"] = abstract
    if takeaways:
        t["takeaways"] = [{"text": x} for x in takeaways]
    if tools:
        tl = []
        for x in tools:
            name, url = split_pair(x)
            tl.append({"name": name, **({"url": url} if url else {})})
        t["tools"] = tl
    if memo:
        t["memo"] = memo
    TALKS.append(t)
    KEYS[key or tid] = full
    return full


# Tool URLs used more than once.
U = {
    "Kubernetes": "https://kubernetes.io/",
    "Envoy": "https://www.envoyproxy.io/",
    "Istio": "https://istio.io/",
    "Cilium": "https://cilium.io/",
    "Prometheus": "https://prometheus.io/",
    "Grafana": "https://grafana.com/oss/grafana/",
    "OpenTelemetry": "https://opentelemetry.io/",
    "Argo CD": "https://argo-cd.readthedocs.io/",
    "Helm": "https://helm.sh/",
    "Terraform": "https://www.terraform.io/",
    "GitHub Actions": "https://github.com/features/actions",
}


def tool(name, url=None):
    return f"{name}|{url or U[name]}"


# ---------------------------------------------------------------------------------------------
# Anchor talks: hand-written, each carrying words that the queries below look for.
# ---------------------------------------------------------------------------------------------

# === CloudNative Days Tokyo 2023 ===
E = "cndt2023"
talk(E, "circuit-breaker-payment", "サーキットブレーカーアーキテクチャで守る決済基盤の可用性",
     ["東海林 拓真|ハヤブサ決済株式会社"],
     "決済APIは外部の与信サービスに依存しており、その応答遅延がシステム全体に波及する障害を繰り返してきました。"
     "本セッションでは、Envoyの外れ値検出とアプリケーション側のサーキットブレーカーアーキテクチャを組み合わせ、"
     "依存先の障害を局所化した取り組みを紹介します。あわせて、タイムアウトとリトライ予算の決め方も共有します。",
     ["half-open 状態で通す試行リクエストは少なく始めるのが安全",
      "リトライには必ずバックオフとジッターを入れる。入れないと復旧直後に再び詰まる",
      "依存先ごとに隔離したコネクションプールを持つと、障害が他の決済手段に広がらない"],
     [tool("Envoy"), "Resilience4j|https://resilience4j.readme.io/"],
     ["resilience", "payment", "envoy"], day=0)

talk(E, "multi-tenancy-platform", "マルチテナンシーを前提にしたKubernetes基盤の設計と権限分離",
     ["四方田 葵|雲海システムズ株式会社"],
     "社内の40を超えるプロダクトチームが一つのKubernetesクラスタ群を共有する中で、マルチテナンシーをどう実現するかは大きな課題でした。"
     "NamespaceとRBAC、ResourceQuota、NetworkPolicyを組み合わせたソフトマルチテナンシーの設計と、"
     "Capsuleを使ったテナント単位の権限委譲について話します。",
     ["テナントの境界は Namespace ではなくチーム単位で切る",
      "ClusterRole を使い回さず、テナントごとにロールを作って権限を絞る",
      "ResourceQuota の既定値は実測から決め、半年ごとに見直す"],
     ["Capsule|https://capsule.clastix.io/"],
     ["multi-tenancy", "kubernetes", "rbac"], day=0)

talk(E, "trace-first-investigation", "テレメトリーシグナルを横断するトレースファーストな障害調査",
     ["月見里 颯|北斗データ株式会社"],
     "メトリクス・ログ・トレースという3つのテレメトリーシグナルが別々のツールに散らばり、障害調査のたびに画面を行き来していました。"
     "OpenTelemetry Collectorでシグナル間にtrace_idを通し、トレースを起点に調査する運用へ切り替えた経緯を紹介します。",
     ["Exemplar を使うとメトリクスのグラフから該当するトレースへ直接飛べる",
      "ログへの trace_id 付与はロギングライブラリのラッパーで一括対応した",
      "調査手順書の最初の一歩を「トレースを開く」に書き換えたら平均調査時間が半分になった"],
     ["OpenTelemetry Collector|https://opentelemetry.io/docs/collector/",
      "Grafana Tempo|https://grafana.com/oss/tempo/"],
     ["observability", "opentelemetry", "tracing"], day=0)

talk(E, "containerd-to-crio", "コンテナランタイムをcontainerdからCRI-Oへ移行した1年間",
     ["御手洗 遥|ソラマメ物流株式会社"],
     "オンプレミスのKubernetesクラスタで、コンテナランタイムをcontainerdからCRI-Oへ切り替えました。"
     "ノードを1台ずつ入れ替えるローリング方式を採用し、イメージのpull挙動やログ形式の違いなど、"
     "移行前には見えなかった差分への対処を紹介します。",
     ["crictl の出力の差はノード検証スクリプトで吸収した",
      "ランタイムの切り替えはドレインとセットで自動化すると事故が減る"],
     ["CRI-O|https://cri-o.io/", "containerd|https://containerd.io/"],
     ["container-runtime", "kubernetes", "on-premises"], day=0)

talk(E, "istio-to-cilium", "サービスメッシュ卒業:IstioからCiliumのeBPFデータプレーンへ",
     ["Daniel Okafor|Kestrel Networks", "高梨 美月|Kestrel Networks"],
     "サイドカー型のサービスメッシュは、Podあたりのメモリ消費とレイテンシの増加が無視できない規模になっていました。"
     "CiliumのeBPFデータプレーンとサイドカーレスな構成へ段階的に移行し、クラスタ全体のメモリ使用量を大きく削減した事例を紹介します。",
     ["mTLS は移行期間中に両方式を並行稼働させ、差分を監視しながら切り替えた",
      "L7 ポリシーのうち Envoy を残す必要があるものを最初に洗い出すと計画が立てやすい",
      "サイドカーを外した後は Pod の起動時間も短くなった"],
     [tool("Istio"), tool("Cilium")],
     ["service-mesh", "ebpf", "cilium", "istio"], day=1)

talk(E, "ebpf-observability-overhead", "eBPFで実現する低オーバーヘッドな可観測性",
     ["渡会 誠|コトノハ出版株式会社"],
     "アプリケーションに手を入れずにHTTPやgRPCのレイテンシを取得するため、eBPFベースの計測基盤を構築しました。"
     "kprobeとuprobeを使った計測の仕組みと、可観測性を高めつつCPUオーバーヘッドを1%未満に抑えるための工夫を解説します。",
     ["ｅＢＰＦ のプログラムはカーネルのバージョン差に注意。CO-RE に対応させると配布が楽になる",
      "まず bpftrace のワンライナーで当たりを付けてから常設の計測に落とし込む"],
     ["Pixie|https://px.dev/", "bpftrace|https://github.com/bpftrace/bpftrace"],
     ["ebpf", "observability", "linux-kernel"], day=1)

talk(E, "idempotent-batch", "冪等なバッチ設計でリトライ地獄から抜け出す",
     ["五十嵐 悠斗|あおぞらペイ株式会社"],
     "夜間バッチが途中で失敗するたびに、手作業で中間データを消してから再実行する運用が続いていました。"
     "すべてのジョブを冪等に作り直し、KubernetesのCronJobとArgo Workflowsで安全に再実行できるようにした設計のポイントを紹介します。",
     ["冪等キーは業務上の一意キーから組み立てる",
      "backoffLimit を増やす前に、ジョブが外部に残す副作用を洗い出す"],
     ["Argo Workflows|https://argoproj.github.io/workflows/"],
     ["batch", "kubernetes", "reliability"], day=1)

talk(E, "congestion-backpressure", "輻輳制御から考えるマイクロサービス間通信のバックプレッシャー",
     ["勅使河原 瑞穂|ヒバリ交通株式会社"],
     "ピーク時にリクエストが集中すると、下流のサービスが詰まって全体が共倒れになる問題を抱えていました。"
     "TCPの輻輳制御の考え方をヒントに、gRPCのフロー制御と適応的な同時実行数制限を導入した事例を紹介します。",
     ["キューを長くしても遅延が増えるだけで、スループットは上がらない",
      "同時実行数の上限は固定値より AIMD のように動的に決めたほうが安定した"],
     ["gRPC|https://grpc.io/", tool("Envoy")],
     ["microservices", "grpc", "resilience"], day=0)

talk(E, "eks-ip-exhaustion", "IPアドレス枯渇と戦うEKSのネットワーク設計",
     ["Hannah Lindqvist|Tidewater Systems", "能登 大輝|Tidewater Systems"],
     "VPC CNIの既定設定のままノードを増やした結果、サブネットのIPアドレスが枯渇し、Podが起動できなくなる障害が起きました。"
     "Prefix Delegationとセカンダリ CIDR の導入、さらにカスタムネットワーキングへの切り替えでIPの消費を抑えた経緯を解説します。",
     ["WARM_IP_TARGET を調整するだけでも空きアドレスの無駄遣いは減らせる",
      "サブネット設計は Pod 数の上限から逆算しておく"],
     ["Amazon VPC CNI|https://github.com/aws/amazon-vpc-cni-k8s"],
     ["aws", "eks", "networking"], day=1)

talk(E, "zero-downtime-upgrade", "Kubernetesクラスタの無停止アップグレードを四半期ごとに回す",
     ["能登 大輝|Tidewater Systems"],
     "Kubernetesのマイナーバージョンは年に3回リリースされ、追従が遅れるとサポート切れが迫ります。"
     "本番クラスタを止めずにアップグレードするためのブルーグリーン方式のクラスタ切り替えと、"
     "非推奨APIの検出を自動化したパイプラインを紹介します。",
     ["非推奨 API の検出は pluto を CI に組み込んで毎日回している",
      "PodDisruptionBudget が未設定のワークロードを先に洗い出しておく"],
     ["pluto|https://github.com/FairwindsOps/pluto"],
     ["kubernetes", "upgrade", "cluster-management"], day=0)

talk(E, "crossplane-self-service", "Crossplaneで作るセルフサービスなインフラ払い出し",
     ["Marco Bellini|Lumenfield Inc."],
     "アプリケーションチームがデータベースやバケットを必要とするたびに、インフラチームへ依頼が集中していました。"
     "CrossplaneのCompositionでクラウドリソースを抽象化し、開発者がマニフェスト一枚で必要なものを用意できる仕組みを作りました。",
     ["Composition の入力項目は最小限に絞り、既定値で安全側に倒す",
      "作成されたリソースの所有者をラベルで必ず追えるようにする"],
     ["Crossplane|https://www.crossplane.io/"],
     ["platform-engineering", "iac", "kubernetes"], day=1)

talk(E, "kyverno-policy-as-code", "Kyvernoによるポリシーアズコードの実践",
     ["藤堂 里奈|白樺ソフト株式会社"],
     "クラスタに投入されるマニフェストの品質を人手のレビューだけで保つのは限界がありました。"
     "Kyvernoでラベルの必須化やイメージタグの固定を強制し、違反を Audit モードで可視化してから段階的に Enforce へ切り替えた流れを紹介します。",
     ["いきなり Enforce にせず、まず Audit で違反件数を見える化する",
      "ポリシー自体もテストを書いて CI で検証する"],
     ["Kyverno|https://kyverno.io/"],
     ["policy", "security", "kubernetes"], day=1)

talk(E, "spiffe-zero-trust", "ゼロトラストネットワークをSPIFFEで実装する",
     ["小野寺 朔|カモメ証券株式会社"],
     "社内ネットワークの内側を信頼する前提を捨て、サービス同士が互いの身元を検証し合う構成を目指しました。"
     "SPIFFE/SPIREでワークロードにIDを発行し、mTLSの証明書を短い有効期限で自動更新する仕組みを解説します。",
     ["証明書の有効期限は1時間。更新の失敗を監視するアラートが肝",
      "IP アドレスではなくワークロードの ID で認可ルールを書ける"],
     ["SPIRE|https://spiffe.io/"],
     ["security", "mtls", "identity"], day=0)

talk(E, "falco-runtime-security", "Falcoで始めるランタイムセキュリティ",
     ["藤堂 里奈|白樺ソフト株式会社"],
     "脆弱性スキャンだけでは、実行中のコンテナで起きる不審な挙動には気付けません。"
     "Falcoでシステムコールを監視し、シェルの起動や想定外の通信を検知してSlackへ通知するまでの運用を紹介します。",
     ["デフォルトルールのままだと誤検知が多い。最初の2週間はチューニングに充てる",
      "検知したイベントは Falcosidekick で複数の通知先に振り分けた"],
     ["Falco|https://falco.org/", "Falcosidekick|https://github.com/falcosecurity/falcosidekick"],
     ["security", "runtime-security", "kubernetes"], day=0)

talk(E, "velero-restore-drill", "Veleroでバックアップしたetcdを本当に戻せるか試した話",
     ["稲垣 光|瑞穂モビリティ株式会社"],
     "バックアップは取っているのに、一度もリストアを試したことがない。そんな不安から、Veleroを使った復元訓練を始めました。"
     "別クラスタへの復元で見つかった落とし穴を5分で紹介します。",
     ["PersistentVolume のスナップショットはリージョンをまたげないことがある",
      "リストア手順は四半期に一度、新しいメンバーに実施してもらう"],
     ["Velero|https://velero.io/"],
     ["backup", "disaster-recovery", "kubernetes"], kind="lightning", day=1)

talk(E, "keynote-cndt2023-future", "クラウドネイティブの10年とこれからの10年",
     ["大河内 誠一郎|CloudNative Days 実行委員会"],
     "コンテナとKubernetesが広まったこの10年で、インフラの作り方と運用のあり方は大きく変わりました。"
     "本キーノートでは、コミュニティの歩みを振り返りつつ、プラットフォームとAIがもたらす次の変化を展望します。",
     ["技術よりも組織と文化の変化に時間がかかる",
      "コミュニティへの還元が結果的に自社の採用にも効いている"],
     [], ["keynote", "cloud-native", "community"], kind="keynote", day=0)

# === SRE NEXT 2023 ===
E = "sre-next-2023"
talk(E, "blameless-postmortem", "ブレームレスポストモーテムを文化にするまで",
     ["白鳥 ひかり|コトノハ出版株式会社"],
     "障害の振り返りが犯人探しになり、報告書が形だけのものになっていました。"
     "ブレームレスポストモーテムのテンプレートと進行役の育成を通じて、役職者への忖度なしに事実を書ける場をつくった3年間の取り組みを話します。",
     ["タイムラインは主観を入れずに時刻と事実だけで書く",
      "進行役は当事者のチーム以外から出す",
      "公開範囲を全社にしたことで他チームの学びにもなった"],
     [], ["sre", "postmortem", "culture"], day=0)

talk(E, "error-budget-policy", "エラーバジェットポリシーで開発と運用の合意をつくる",
     ["松浦 千景|青嵐テクノロジーズ株式会社"],
     "SLOを設定しても、予算を使い切ったときに何をするかが決まっていなければ意味がありません。"
     "エラーバジェットポリシーを事業部長と合意し、リリース凍結の判断を自動化するまでの道のりを紹介します。",
     ["ポリシーは技術文書ではなく合意文書として書く",
      "リリース凍結の例外条件を先に決めておくと揉めない"],
     [], ["sre", "slo", "error-budget"], day=0)

talk(E, "slo-nobody-watches", "SLOを決めたのに誰も見ていない問題",
     ["佐藤 健太|あおぞらペイ株式会社"],
     "苦労して定義したSLOのダッシュボードが、気付けば誰にも開かれなくなっていました。"
     "週次の定例でSLOを読み上げる仕組みと、プロダクトの指標と並べて見せる工夫で、SLOを意思決定に使われる数字へ変えた話です。",
     ["SLO はエンジニアだけの数字にしない",
      "ダッシュボードより週報に載せたほうが見られる"],
     [], ["sre", "slo"], day=0)

talk(E, "oncall-rotation", "オンコール輪番制の設計と燃え尽きを防ぐ仕組み",
     ["三ツ矢 亘|千鳥ゲームス株式会社"],
     "少人数のチームで24時間のオンコールを回すと、特定のメンバーに負担が偏りがちです。"
     "輪番制の設計、夜間呼び出しの件数の可視化、呼び出された翌日の休息ルールなど、燃え尽きを防ぐために取り入れた仕組みを紹介します。",
     ["呼び出し件数を個人別に可視化すると偏りにすぐ気付ける",
      "夜間に呼ばれたら翌日午前は休む、をルールにした"],
     ["PagerDuty|https://www.pagerduty.com/"],
     ["sre", "on-call", "wellbeing"], day=0)

talk(E, "graceful-degradation", "縮退運転という選択肢:全部止めないための設計",
     ["宇佐美 翠|潮風トラベル株式会社"],
     "外部の在庫APIが落ちると予約サイト全体が使えなくなる構成を見直しました。"
     "機能ごとに重要度を決め、依存先の障害時には検索だけを提供する縮退運転モードを用意した設計と、その訓練方法を紹介します。",
     ["どの機能を落としてよいかは事業側と一緒に決める",
      "縮退モードへの切り替えはフィーチャーフラグ一つでできるようにした"],
     [], ["resilience", "architecture", "sre"], day=0)

talk(E, "incident-playbook", "インシデントレスポンスプレイブックを育てる",
     ["松浦 千景|青嵐テクノロジーズ株式会社"],
     "障害対応の手順がベテランの頭の中にしかなく、新しいメンバーが一次対応できない状態でした。"
     "障害のたびに手順を書き足していく運用でインシデントレスポンスプレイブックを育て、一次対応の時間を短縮した事例を紹介します。",
     ["手順は完璧を目指さず、次の人が迷った箇所を書き足していく",
      "コマンドはコピペで動く形で残す"],
     [], ["sre", "incident-response"], day=0)

talk(E, "chaos-to-production", "カオスエンジニアリングをステージングから本番へ",
     ["Priya Raman|Kestrel Networks"],
     "ステージング環境で始めた障害注入の実験を、段階的に本番環境へ広げていきました。"
     "LitmusChaosとChaos Meshを比較した結果や、本番で実験するための安全装置、経営層への説明の仕方を共有します。",
     ["本番での実験は停止条件を先に決めてから始める",
      "最初の本番実験は影響範囲が小さい Pod の削除から"],
     ["LitmusChaos|https://litmuschaos.io/", "Chaos Mesh|https://chaos-mesh.org/"],
     ["chaos-engineering", "sre", "kubernetes"], day=0)

talk(E, "toil-chatops", "トイル削減のためのChatOps入門",
     ["堀之内 渉|朝凪メディア株式会社"],
     "決まりきった手作業が運用全体の半分以上を占め、改善に手が回らない状態でした。"
     "ChatOpsでよくある作業をSlackのコマンドにまとめ、実行ログも自動で残るようにしたことで、トイルを大きく減らせました。",
     ["まず1か月分の作業を記録してトイルを数える",
      "権限の強い操作はボット経由に限定すると監査も楽になる"],
     ["Slack|https://slack.com/"],
     ["sre", "toil", "automation"], kind="lightning", day=0)

talk(E, "incident-audit-trail", "監査に耐えるインシデント記録の残し方",
     ["小野寺 朔|カモメ証券株式会社"],
     "金融機関として、障害対応の経緯を後から検証できる形で残すことが求められています。"
     "チャットでのやりとりから証跡を自動で抽出し、タイムライン付きの報告書を生成する仕組みを紹介します。",
     ["誰がいつ何を判断したかを残すのが大事で、議事録の体裁は二の次",
      "報告書の生成を自動化したら提出までの日数が3分の1になった"],
     [], ["sre", "compliance", "incident-response"], day=0)

talk(E, "memory-leak-hunt", "メモリーリークを本番で追い詰めた3日間",
     ["Daniel Okafor|Kestrel Networks"],
     "本番環境のGoサービスで、数日かけてじわじわとメモリ使用量が増え続ける問題が起きました。"
     "継続的プロファイリングのPyroscopeで取ったヒーププロファイルを比較し、原因のgoroutineを特定するまでの調査を時系列で紹介します。",
     ["プロファイルは問題が起きる前から取り続けていないと比較できない",
      "OOMKilled の回数をアラートにしておけば早く気付けた"],
     ["Pyroscope|https://pyroscope.io/"],
     ["debugging", "profiling", "go"], day=0)

# === Kubernetes Meetup Tokyo #61 ===
E = "k8s-meetup-tokyo-61"
talk(E, "custom-scheduler-gpu", "自作スケジューラーでGPUノードの断片化を防ぐ",
     ["Wei Zhang|Bluefin Analytics"],
     "機械学習の学習ジョブが増えるにつれ、GPUが中途半端に余ったノードが増え、大きなジョブが配置できない問題が起きていました。"
     "Scheduling Frameworkのプラグインとしてスケジューラーを拡張し、GPUの断片化を抑えるスコアリングを実装した事例です。",
     ["既存の kube-scheduler を置き換えず、プラグインで拡張するのが保守しやすい",
      "ビンパッキング寄りのスコアにすると大きなジョブの待ち時間が減った"],
     ["Scheduling Framework|https://kubernetes.io/docs/concepts/scheduling-eviction/scheduling-framework/"],
     ["kubernetes", "gpu", "scheduling", "machine-learning"], day=0)

talk(E, "controller-reconcile-loop", "コントローラを書いて学ぶReconcileループ",
     ["桐生 ほのか|銀杏システム株式会社"],
     "Kubernetesの拡張を理解するいちばんの近道は、小さなカスタムコントローラを自分で書いてみることです。"
     "controller-runtimeを使い、Reconcileループが冪等性を前提としている理由や、ステータスの更新で気をつけることをハンズオン形式で解説します。",
     ["Reconcile は何度呼ばれても同じ結果になるように書く",
      "ステータスの更新は spec の更新と分ける"],
     ["controller-runtime|https://github.com/kubernetes-sigs/controller-runtime",
      "Kubebuilder|https://book.kubebuilder.io/"],
     ["kubernetes", "operator", "go"], day=0)

talk(E, "kubevirt-vms", "KubeVirtで仮想マシンとコンテナを同じクラスタで動かす",
     ["真鍋 大地|月光ネットワークス株式会社"],
     "コンテナ化が難しいレガシーなアプリケーションが残り、仮想化基盤とKubernetesの二重運用が続いていました。"
     "KubeVirtで仮想マシンもKubernetesのリソースとして扱い、運用を一本化した事例を紹介します。",
     ["ライブマイグレーションには共有ストレージが前提になる",
      "VM の監視もコンテナと同じ Prometheus に寄せられた"],
     ["KubeVirt|https://kubevirt.io/"],
     ["kubernetes", "virtualization"], day=0)

talk(E, "karpenter-provisioning", "Karpenterでノードの払い出しを高速化した話",
     ["Hannah Lindqvist|Tidewater Systems"],
     "スパイク的な負荷に対して、ノードの追加が間に合わずPodがPendingのまま待たされる状況が続いていました。"
     "Karpenterを導入してインスタンスタイプを柔軟に選ばせ、ノード追加までの時間を数分から数十秒に縮めた事例です。",
     ["インスタンスタイプの候補は広めに取るとスポットの確保率が上がる",
      "consolidation を有効にしたらノード数が2割減った"],
     ["Karpenter|https://karpenter.sh/"],
     ["kubernetes", "autoscaling", "aws"], kind="lightning", day=0)

talk(E, "cluster-autoscaler-tuning", "ノードオートスケーラのチューニングで学んだこと",
     ["広瀬 湊|瑞穂モビリティ株式会社"],
     "Cluster Autoscalerを既定値のまま使っていたところ、スケールインが遅くコストが膨らんでいました。"
     "オートスケーラのパラメータを一つずつ検証し、ノードグループの分け方を見直した結果を共有します。",
     ["scale-down-unneeded-time を短くしすぎると揺り戻しが起きる",
      "ノードグループはワークロードの性質ごとに分ける"],
     ["Cluster Autoscaler|https://github.com/kubernetes/autoscaler"],
     ["kubernetes", "autoscaling", "cost"], day=0)

talk(E, "k8s-130-whats-new", "Kubernetes 1.30の新機能を駆け足で",
     ["桐生 ほのか|銀杏システム株式会社"],
     "Kubernetes 1.30で入った主な変更点を、運用者の目線で駆け足で紹介します。"
     "GAになった機能、非推奨になったAPI、アップグレード時に確認すべき点をまとめました。",
     ["リリースノートは Deprecation の節から読む",
      "Feature Gate の既定値が変わったものは検証環境で先に試す"],
     [tool("Kubernetes")],
     ["kubernetes", "release"], kind="lightning", day=0)

talk(E, "etcd-defrag", "etcdのデフラグとコンパクションを理解する",
     ["広瀬 湊|瑞穂モビリティ株式会社"],
     "大規模なクラスタでetcdのデータベースサイズが上限に近づき、書き込みが遅くなる問題が起きました。"
     "リビジョンのコンパクションとデフラグの仕組み、そして本番で安全に実行するための手順を紹介します。",
     ["デフラグ中はそのメンバーが応答しないので一台ずつ実施する",
      "DB サイズの監視は quota-backend-bytes に対する割合で見る"],
     ["etcd|https://etcd.io/"],
     ["kubernetes", "etcd"], day=0)

talk(E, "kustomize-patches", "Kustomizeのパッチ地獄を整理する",
     ["真鍋 大地|月光ネットワークス株式会社"],
     "環境ごとのオーバーレイが増え続け、どのパッチがどこに効いているのか誰も説明できなくなっていました。"
     "Componentsを使った共通化と、レンダリング結果の差分をPRに表示する仕組みで見通しを取り戻した話です。",
     ["オーバーレイの階層は2段までに制限した",
      "kustomize build の結果を PR にコメントするとレビューが速くなる"],
     ["Kustomize|https://kustomize.io/"],
     ["kubernetes", "kustomize", "gitops"], kind="lightning", day=0)

# === PHPerKaigi 2024 ===
E = "phperkaigi-2024"
talk(E, "phpstan-levels", "PHPStanのレベルを上げ続けて分かった型の話",
     ["東 颯太|紅葉ラーニング株式会社"],
     "10年もののPHPアプリケーションにPHPStanを導入し、レベル0から9まで少しずつ引き上げてきました。"
     "baselineの活用法、mixedとの付き合い方、型を厳しくしたことで見つかったバグの実例を紹介します。",
     ["baseline は負債の一覧として扱い、減った数をチームで祝う",
      "array の中身を PHPDoc で書くだけで見つかるバグが多い"],
     ["PHPStan|https://phpstan.org/"],
     ["php", "static-analysis"], day=0)

talk(E, "phpdoc-generics", "ジェネリクスを擬似的に表現するPHPDocの書き方",
     ["宮坂 紬|さくら坂リテール株式会社"],
     "PHPには言語としてのジェネリクスがありませんが、PHPDocのテンプレート記法を使えばコレクションの要素型を静的解析に伝えられます。"
     "Psalmと組み合わせた実践的な書き方と、チームに広めるときの注意点を解説します。",
     ["@template と @extends を覚えるだけで表現力が大きく上がる",
      "IDE の補完が効くようになるのが一番の効果"],
     ["Psalm|https://psalm.dev/"],
     ["php", "static-analysis"], day=1)

talk(E, "php-parser-ast", "PHPパーサーを自作して学ぶ抽象構文木",
     ["東 颯太|紅葉ラーニング株式会社"],
     "普段なにげなく書いているPHPのコードが、どのように字句解析され、抽象構文木になるのかを、小さなパーサーを自作しながら追いかけます。"
     "nikic/PHP-Parserの設計との比較も行います。",
     ["演算子の優先順位は Pratt parsing で素直に書ける",
      "AST を眺めるとコーディング規約の自動チェックが書きやすくなる"],
     ["PHP-Parser|https://github.com/nikic/PHP-Parser"],
     ["php", "compiler"], day=1)

talk(E, "laravel-service-container", "Laravelのサービスコンテナを読み解く",
     ["宮坂 紬|さくら坂リテール株式会社"],
     "Laravelのサービスコンテナは便利な一方で、どのクラスがいつ生成されるのかが見えにくく、テストで困ることがあります。"
     "コンテナの解決の流れをソースコードから追い、依存注入を意識した設計の勘所を紹介します。",
     ["singleton の乱用はテストの独立性を壊す",
      "コンストラクタインジェクションに寄せるとモックが楽になる"],
     ["Laravel|https://laravel.com/"],
     ["php", "laravel", "design"], day=2)

talk(E, "rector-php83", "RectorでPHP 8.3へのバージョンアップを進める",
     ["羽鳥 凛|千鳥ゲームス株式会社"],
     "PHP 7.4で動いていた大規模なコードベースを、Rectorによる自動書き換えでPHP 8.3に上げました。"
     "ルールの選び方、差分が大きくなりすぎないPRの分け方、テストが薄い箇所の進め方を共有します。",
     ["ルールは1つずつ適用して PR を小さく保つ",
      "自動書き換えの前に、テストの無い箇所を一覧にしておく"],
     ["Rector|https://getrector.com/"],
     ["php", "refactoring"], day=0)

talk(E, "legacy-php-pickled", "レガシーPHPの塩漬けコードと向き合う",
     ["羽鳥 凛|千鳥ゲームス株式会社"],
     "誰も触りたがらない塩漬けのコードが、売上の大半を支える機能の中心に残っていました。"
     "特性テストで現在の振る舞いを固定し、少しずつ切り出していくリファクタリングの進め方を紹介します。",
     ["まず今の振る舞いをテストで固定してから手を入れる",
      "リファクタリングの成果は障害件数と変更にかかる時間で示す"],
     [], ["php", "legacy", "refactoring"], day=1)

talk(E, "php-wasm-runtime", "PHPで書くWebAssemblyランタイム",
     ["鷹野 湊|紅葉ラーニング株式会社"],
     "WebAssemblyのバイナリを読み込み、スタックマシンとして命令を実行する小さなランタイムをPHPだけで実装しました。"
     "仕様書の読み方と、PHPで低レイヤの処理を書くときの工夫を紹介します。",
     ["仕様書のバイナリ形式の章から実装すると迷わない",
      "PHP の整数は 64bit 固定なので 32bit 演算の扱いに注意"],
     ["WebAssembly|https://webassembly.org/"],
     ["php", "wasm"], day=2)

# === DevOpsDays Tokyo 2024 ===
E = "devopsdays-tokyo-2024"
talk(E, "bizdevops-value-dashboard", "BizDevOpsを支える価値計測ダッシュボード",
     ["小笠原 泉|宵月フィンテック株式会社"],
     "事業の成長期に開発チームのデプロイ頻度は上がったのに、事業側からは成果が見えないと言われ続けていました。"
     "機能ごとの利用状況と売上への寄与を可視化するダッシュボードを作り、BizDevOpsの共通言語にした事例を紹介します。",
     ["開発の指標と事業の指標を同じ画面に並べることに意味がある",
      "計測イベントの命名規則を最初に決めておく"],
     ["Looker Studio|https://lookerstudio.google.com/"],
     ["bizdevops", "devops", "metrics"], day=0)

talk(E, "reusable-workflows", "GitHubActionsの再利用可能ワークフローで200リポジトリを統制する",
     ["野々村 一輝|雲海システムズ株式会社"],
     "リポジトリごとにコピーされたCIの設定がばらばらに進化し、セキュリティ対策の展開に何か月もかかっていました。"
     "GitHubActionsの再利用可能ワークフローに共通処理を集約し、200のリポジトリを一元的に管理できるようにしました。",
     ["共通ワークフローはタグでバージョンを固定して配布する",
      "本番へのデプロイはメインブランチへのマージ時だけに限定した",
      "OIDC でクラウドの認証情報を CI に置かないようにした"],
     [tool("GitHub Actions")],
     ["ci-cd", "github-actions", "governance"], day=0)

talk(E, "no-ringi-cloud-budget", "稟議をなくしたクラウド予算の権限委譲",
     ["小笠原 泉|宵月フィンテック株式会社"],
     "クラウドの利用料が増えるたびに承認の手続きが必要で、検証環境一つ作るのにも数日かかっていました。"
     "チームごとに予算を割り当てて判断を委ね、FinOpsの考え方で利用状況を可視化した取り組みを紹介します。",
     ["承認をなくす代わりに、予算超過の予測をチームに通知する",
      "コストのタグ付けルールは CI で強制する"],
     ["OpenCost|https://www.opencost.io/"],
     ["finops", "cost", "organization"], day=1)

talk(E, "feature-flags-progressive", "フィーチャーフラグで段階的に機能を届ける",
     ["野々村 一輝|雲海システムズ株式会社"],
     "大きな機能を一度にリリースすると、問題が起きたときの切り戻しが大がかりになります。"
     "OpenFeatureを使ってフィーチャーフラグの仕組みを標準化し、社員から一部のユーザーへ段階的に機能を公開する運用を紹介します。",
     ["フラグには必ず削除予定日を付ける",
      "フラグの評価結果をトレースに載せると障害調査が楽になる"],
     ["OpenFeature|https://openfeature.dev/"],
     ["feature-flags", "release", "devops"], day=1)

talk(E, "argo-rollouts-canary", "カナリアリリースの判定を自動化するArgo Rollouts",
     ["堀之内 渉|朝凪メディア株式会社"],
     "新しいバージョンの良し悪しを人が目視で判断していたため、リリースのたびに担当者が張り付く必要がありました。"
     "Argo RolloutsのAnalysisTemplateでエラー率とレイテンシを自動判定し、問題があれば自動で切り戻す仕組みを作りました。",
     ["判定に使う指標は2つか3つに絞る",
      "トラフィックが少ない時間帯は判定を保留する"],
     ["Argo Rollouts|https://argoproj.github.io/rollouts/"],
     ["progressive-delivery", "kubernetes", "ci-cd"], day=0)

talk(E, "value-stream-mapping", "バリューストリームマッピングで見つけた待ち時間",
     ["吉良 優|潮風トラベル株式会社"],
     "アイデアが本番に届くまでに平均で6週間かかっていました。"
     "関係者を集めてバリューストリームマッピングを行ったところ、作業そのものより承認やレビューの待ち時間が大半を占めていることが分かりました。",
     ["付箋で工程を並べるだけでも待ち時間の大きさが見える",
      "改善は一番長い待ち時間から手を付ける"],
     [], ["devops", "lean", "organization"], day=0)

talk(E, "user-story-mapping", "ユーザーストーリーマッピングでプラットフォームの要求を集める",
     ["吉良 優|潮風トラベル株式会社"],
     "社内プラットフォームの開発では、利用者である開発者の要求が見えにくくなりがちです。"
     "開発者の一日を題材にユーザーストーリーマッピングを行い、優先順位を合意した進め方を紹介します。",
     ["要求は機能の一覧ではなく利用者の作業の流れで並べる",
      "最初のリリースに含める範囲を横線で区切る"],
     [], ["platform-engineering", "product-management"], day=1)

talk(E, "org-wall-devops", "DevOpsを阻む組織の壁をどう越えたか",
     ["大河内 誠一郎|CloudNative Days 実行委員会"],
     "開発と運用が別の部署に分かれ、評価制度も異なる組織で、DevOpsの実践は何度も止まりかけました。"
     "部署をまたいだ共同目標の設定と、小さな成功事例の共有で壁を少しずつ崩した経験を語ります。",
     ["評価制度が変わらないと協力は続かない",
      "成功事例は社内勉強会で当事者に話してもらう"],
     [], ["devops", "organization", "culture"], kind="keynote", day=0)

talk(E, "team-topologies", "チームトポロジーで再設計したプラットフォームチーム",
     ["Sofia Marquez|Northpeak Labs"],
     "インフラチームが全チームからの依頼を一手に引き受け、ボトルネックになっていました。"
     "チームトポロジーの考え方を参考に、ストリームアラインドチームとプラットフォームチームの役割を整理し直した事例です。",
     ["チームの認知負荷を下げることを設計の目的にする",
      "プラットフォームチームのやり取りのモードを明示する"],
     [], ["organization", "platform-engineering", "team-topologies"], day=1)

talk(E, "four-keys-bigquery", "Four KeysをBigQueryで計測する",
     ["鷹野 湊|紅葉ラーニング株式会社"],
     "デプロイ頻度や変更のリードタイムといったFour Keysの指標を、GitHubとインシデント管理ツールのデータからBigQueryに集めて計測しました。"
     "指標を改善の目的にしないための注意点も共有します。",
     ["指標は比較ではなく自チームの変化を見るために使う",
      "変更失敗率の定義はチームで合意してから集計する"],
     ["BigQuery|https://cloud.google.com/bigquery", "Four Keys|https://github.com/dora-team/fourkeys"],
     ["devops", "metrics", "dora"], kind="lightning", day=1)

# === SRE NEXT 2024 ===
E = "sre-next-2024"
talk(E, "burn-rate-alerts", "閾値アラートから卒業してバーンレートアラートへ",
     ["松浦 千景|青嵐テクノロジーズ株式会社"],
     "CPU使用率やエラー件数の閾値アラートが鳴り続け、オンコール担当が通知を無視するようになっていました。"
     "SLOに基づくマルチウィンドウのバーンレートアラートへ切り替え、本当に対応が必要なときだけ呼び出す仕組みにした事例です。",
     ["短いウィンドウと長いウィンドウの両方を満たしたときだけ通知する",
      "切り替え後、夜間の呼び出しは月に数回まで減った"],
     [tool("Prometheus")],
     ["sre", "alerting", "slo"], day=0)

talk(E, "rate-limiter-fairness", "レートリミッターの設計とAPIの公平性",
     ["Wei Zhang|Bluefin Analytics"],
     "一部の大口顧客のバッチ処理がAPIを占有し、他の顧客の応答が遅くなる問題がありました。"
     "トークンバケットを使ったレートリミッターを顧客単位で導入し、公平性と全体のスループットを両立させた設計を紹介します。",
     ["制限値は契約プランと結び付けて管理する",
      "429 を返すときは Retry-After ヘッダーを必ず付ける"],
     [tool("Envoy")],
     ["api", "rate-limiting", "architecture"], day=0)

talk(E, "sloth-slo-as-code", "SlothでSLOをコードとして管理する",
     ["能登 大輝|Tidewater Systems"],
     "サービスごとに手書きしていたSLOのアラートルールは、サービスが増えるにつれて管理しきれなくなりました。"
     "SlothでSLOの定義からPrometheusのルールを生成し、レビュー可能なコードとして管理する方法を紹介します。",
     ["SLO の定義ファイルはサービスのリポジトリに置く",
      "生成されたルールは直接編集しない"],
     ["Sloth|https://sloth.dev/", tool("Prometheus")],
     ["sre", "slo", "prometheus"], kind="lightning", day=0)

talk(E, "db-failover-drill", "DBフェイルオーバーの訓練を四半期ごとに",
     ["宇佐美 翠|潮風トラベル株式会社"],
     "データベースの切り替えは年に一度あるかないかの作業で、いざというときに手順どおり動ける人がいませんでした。"
     "本番相当の環境で四半期ごとにフェイルオーバーの訓練を行い、切り替え時間を計測し続けている取り組みを紹介します。",
     ["訓練のたびに手順書の誤りが見つかる",
      "アプリケーション側の再接続の挙動も訓練で確かめる"],
     ["Amazon Aurora|https://aws.amazon.com/rds/aurora/"],
     ["sre", "database", "disaster-recovery"], day=1)

talk(E, "cdc-pipeline-monitoring", "データ欠損を防ぐCDCパイプラインの監視",
     ["月見里 颯|北斗データ株式会社"],
     "業務データベースの変更をDebeziumで取り出し、分析基盤へ流すCDCパイプラインを運用しています。"
     "コネクタの再起動やスキーマ変更の際に起きたデータ欠損の事例と、件数の突き合わせによる監視の仕組みを紹介します。",
     ["送信元と送信先の件数を1時間ごとに突き合わせる",
      "スキーマ変更は必ず互換性のある順序で適用する"],
     ["Debezium|https://debezium.io/", "Apache Kafka|https://kafka.apache.org/"],
     ["data-pipeline", "sre", "kafka"], day=1)

talk(E, "baremetal-to-k8s", "オンプレのベアメタルサーバー管理をKubernetesに寄せる",
     ["真鍋 大地|月光ネットワークス株式会社"],
     "東京都内の2つのデータセンターに置かれた数百台のベアメタルサーバーのOSインストールやファームウェア更新を、長年スクリプトと手作業で管理してきました。"
     "Metal3でサーバーのライフサイクルをKubernetesのカスタムリソースとして扱い、宣言的に管理できるようにした事例です。",
     ["ファームウェアの更新もマニフェストの差分としてレビューできるようになった",
      "BMC の認証情報の管理が最初の関門"],
     ["Metal3|https://metal3.io/"],
     ["on-premises", "kubernetes", "bare-metal"], day=0)

talk(E, "sli-latency-divergence", "レイテンシの乖離を見逃さないSLI設計",
     ["白鳥 ひかり|コトノハ出版株式会社"],
     "ロードバランサで計測したレイテンシと、利用者が体感する遅さとの間に大きな乖離があることに気付きました。"
     "計測地点の違いがSLIに与える影響を整理し、利用者に近い地点で測る設計へ改めた経緯を紹介します。",
     ["SLI はどこで測るかで意味が変わる",
      "平均ではなくパーセンタイルで見る"],
     [], ["sre", "sli", "latency"], day=0)

talk(E, "major-incident-story", "大規模障害の顛末と学び",
     ["三ツ矢 亘|千鳥ゲームス株式会社"],
     "新作ゲームの配信開始直後、想定の10倍のアクセスでログイン基盤が停止し、復旧までに6時間を要しました。"
     "障害の顛末を時系列で振り返り、その後に実施した負荷試験と体制の見直しを紹介します。",
     ["負荷試験はログインのような入口の処理から行う",
      "障害中の社外への告知の担当を決めておく"],
     ["k6|https://k6.io/"],
     ["sre", "incident-response", "load-testing"], kind="keynote", day=0)

talk(E, "reliability-at-scale", "Reliability at Scale: Lessons from Kestrel Networks",
     ["Priya Raman|Kestrel Networks"],
     "Kestrel Networks runs a global edge network with hundreds of points of presence. "
     "This talk shares how a small SRE team keeps it reliable: error budgets per region, automated traffic draining, "
     "and a weekly review of near misses.",
     ["リージョンごとにエラーバジェットを持たせている",
      "ヒヤリハットの週次レビューが大きな障害の予防に効いている"],
     [], ["sre", "edge", "reliability"], lang="en", day=1)

talk(E, "sre-book-reading", "ＳＲＥ本を輪読して変わったこと",
     ["稲垣 光|瑞穂モビリティ株式会社"],
     "開発チームと運用チームの合同で、半年かけてＳＲＥ本を輪読しました。"
     "毎週一章ずつ読み、自分たちの現場に当てはめて議論したことで、共通の言葉が生まれた経験を紹介します。",
     ["読むだけでなく、自分たちの現場の例を必ず一つ出す",
      "議事録を残したら新メンバーの教材になった"],
     [], ["sre", "learning", "culture"], kind="lightning", day=1)

# === CloudNative Days Winter 2024 ===
E = "cndw2024"
talk(E, "golden-path-paving", "プラットフォームエンジニアリングのゴールデンパスを舗装する",
     ["Sofia Marquez|Northpeak Labs", "高梨 美月|Kestrel Networks"],
     "新しいサービスを立ち上げるたびに、チームごとに異なるやり方でインフラやCIが作られていました。"
     "推奨される道筋であるGolden Pathをテンプレートとして整備し、選ばなくても良い状態から始められる仕組みを紹介します。",
     ["Golden Path は強制ではなく、一番楽な道にする",
      "テンプレートから外れたチームの理由を聞くと改善点が見つかる"],
     ["Backstage|https://backstage.io/"],
     ["platform-engineering", "developer-experience"], kind="keynote", day=0)

talk(E, "backstage-catalog-1000", "Backstageのソフトウェアカタログを1000コンポーネントまで育てる",
     ["野々村 一輝|雲海システムズ株式会社"],
     "Backstageを導入したものの、ソフトウェアカタログへの登録が進まず、情報が古いままになっていました。"
     "リポジトリからの自動登録と所有者情報の検証を仕組み化し、1000を超えるコンポーネントを登録するまでの工夫を紹介します。",
     ["catalog-info.yaml はテンプレートで最初から作らせる",
      "所有者が不在のコンポーネントを毎週一覧で通知する"],
     ["Backstage|https://backstage.io/"],
     ["backstage", "platform-engineering", "developer-portal"], day=0)

talk(E, "developer-portal-search", "開発者ポータルの検索体験を改善する",
     ["宮坂 紬|さくら坂リテール株式会社"],
     "社内のドキュメントやAPI仕様が散らばり、開発者ポータルで検索しても目的の情報にたどり着けないという声が多く寄せられていました。"
     "検索ログの分析から改善点を洗い出し、同義語辞書と表示順の調整で検索の成功率を上げた事例です。",
     ["検索結果がゼロ件だったクエリから改善する",
      "日本語と英語の表記揺れを同義語辞書で吸収した"],
     ["OpenSearch|https://opensearch.org/"],
     ["developer-portal", "search", "developer-experience"], day=1)

talk(E, "wasm-plugin-sandbox", "Wasmでプラグイン基盤を安全に作る",
     ["Wei Zhang|Bluefin Analytics"],
     "顧客ごとのカスタマイズをプラグインとして受け入れるため、任意のコードを安全に実行する仕組みが必要でした。"
     "WebAssemblyのサンドボックスと、wasmtimeの燃料制限による実行時間の制御を組み合わせた設計を紹介します。",
     ["燃料制限で無限ループしても必ず止められる",
      "ホスト関数の公開は最小限にする"],
     ["Wasmtime|https://wasmtime.dev/"],
     ["wasm", "security", "architecture"], day=1)

talk(E, "otel-tail-sampling", "OpenTelemetryのTail Samplingでトレースのコストを半減",
     ["月見里 颯|北斗データ株式会社"],
     "全リクエストのトレースを保存していたため、ストレージの費用が予算を大きく超えていました。"
     "OpenTelemetry CollectorのTail Samplingで、エラーや遅いリクエストは必ず残しつつ、正常なものを間引く設定を紹介します。",
     ["エラーと遅延のトレースは100%残す",
      "Head Sampling と組み合わせると Collector の負荷も下がる"],
     ["OpenTelemetry Collector|https://opentelemetry.io/docs/collector/"],
     ["observability", "opentelemetry", "cost"], day=0)

talk(E, "workload-identity-federation", "ワークロードアイデンティティフェデレーションでキーレスなCIを実現する",
     ["小野寺 朔|カモメ証券株式会社"],
     "CIに保存したクラウドの長期的な認証情報が漏えいするリスクを無くすため、Workload Identity Federationを導入しました。"
     "GitHub ActionsのOIDCトークンで一時的な権限を得る設定と、権限を絞るための条件の書き方を解説します。",
     ["リポジトリとブランチの両方で条件を絞る",
      "長期的な認証情報を棚から一掃できた"],
     [tool("GitHub Actions")],
     ["security", "ci-cd", "google-cloud"], day=0)

talk(E, "data-mesh-streaming", "データメッシュ時代のストリームプロセッシング基盤",
     ["Marco Bellini|Lumenfield Inc."],
     "分析データの整備を中央のデータチームだけで担う体制は限界を迎えていました。"
     "ドメインごとのチームがデータを提供するデータメッシュの考え方に沿って、ストリームプロセッシング基盤をセルフサービスで提供した事例です。",
     ["データの所有者はデータを生み出すチームにする",
      "スキーマレジストリで互換性を自動チェックする"],
     ["Apache Flink|https://flink.apache.org/", "Apache Kafka|https://kafka.apache.org/"],
     ["data-platform", "streaming", "kafka"], day=1)

talk(E, "genai-manifest-review", "生成AIでKubernetesのマニフェストレビューを自動化する",
     ["東 颯太|紅葉ラーニング株式会社"],
     "マニフェストのレビューで毎回同じ指摘を繰り返していることに気付き、生成AIによる一次レビューを導入しました。"
     "プロンプトの工夫と、誤った指摘を減らすための社内ルールの与え方を紹介します。",
     ["社内のレビュー指針をそのまま文脈として与える",
      "AI の指摘は提案に留め、承認は人が行う"],
     [], ["ai", "kubernetes", "code-review"], day=1)

talk(E, "sbom-supply-chain", "サプライチェーン攻撃から守るSBOMの運用",
     ["藤堂 里奈|白樺ソフト株式会社"],
     "依存ライブラリやビルド工程が狙われる攻撃が増え、何がどこに含まれているのかを即座に答えられる必要が出てきました。"
     "SBOMの生成と保管、cosignによる署名で成果物の改竄を検知する仕組みを紹介します。",
     ["SBOM は作るだけでなく検索できる場所に集める",
      "イメージの署名検証はアドミッションで強制する"],
     ["cosign|https://github.com/sigstore/cosign", "Syft|https://github.com/anchore/syft"],
     ["security", "supply-chain", "sbom"], day=0)

talk(E, "cilium-cluster-mesh", "Cilium Cluster Meshで複数リージョンをつなぐ",
     ["高梨 美月|Kestrel Networks"],
     "災害対策のため、東京と大阪のリージョンでKubernetesクラスタを運用しています。"
     "Cilium Cluster Meshでクラスタ間のサービス ディスカバリを行い、片方のリージョンが停止しても通信を継続できる構成を紹介します。",
     ["クラスタ間で Pod の CIDR が重ならないように最初に設計する",
      "グローバルサービスのアノテーション一つで冗長化できる"],
     [tool("Cilium")],
     ["cilium", "networking", "multi-cluster"], day=1)

talk(E, "linkerd-mtls", "Linkerdで軽量なmTLSを全サービスに",
     ["Daniel Okafor|Kestrel Networks"],
     "すべてのサービス間通信を暗号化する方針が決まりましたが、アプリケーションの改修には手が回りませんでした。"
     "Linkerdを導入してmTLSを透過的に有効にし、リソース消費を抑えながら全サービスへ展開した事例です。",
     ["導入はネームスペース単位で少しずつ進めた",
      "プロキシのリソース消費は想定よりずっと小さかった"],
     ["Linkerd|https://linkerd.io/"],
     ["security", "mtls", "kubernetes"], day=0)

talk(E, "dapr-event-driven", "Daprでイベント駆動アプリケーションを書く",
     ["羽鳥 凛|千鳥ゲームス株式会社"],
     "メッセージブローカーやステートストアの違いをアプリケーションから隠したいと考え、Daprを採用しました。"
     "Pub/SubとStateのビルディングブロックを使ったイベント駆動の設計と、ローカル開発の工夫を紹介します。",
     ["ブローカーの切り替えが設定ファイルの変更だけで済んだ",
      "サイドカーの起動順序に注意が必要"],
     ["Dapr|https://dapr.io/"],
     ["event-driven", "microservices", "kubernetes"], day=1)

talk(E, "keda-scale-to-zero", "KEDAで閑散時間帯のワークロードをゼロまで縮める",
     ["広瀬 湊|瑞穂モビリティ株式会社"],
     "夜間や週末にはほとんど使われない社内向けのサービスが、常に一定数のPodを動かし続けていました。"
     "KEDAでキューの長さやリクエスト数に応じてPodを増減させ、閑散時間帯にはゼロまで縮めることでコストを削減した事例です。",
     ["ゼロからの起動時間を利用者が許容できるかを先に確認する",
      "HPA と KEDA の役割分担を理解しておく"],
     ["KEDA|https://keda.sh/"],
     ["autoscaling", "cost", "kubernetes"], kind="lightning", day=1)

talk(E, "onprem-to-gke", "Kubernetes移行の落とし穴:オンプレからGKEへ",
     ["能登 大輝|Tidewater Systems"],
     "自社データセンターのKubernetesクラスタからGKEへの移行を1年がかりで進めました。"
     "ネットワーク設計の違い、永続ボリュームの移し替え、監視基盤の作り直しなど、計画時には見えていなかった落とし穴を紹介します。",
     ["データの移し替えは業務の閑散期を狙うより、小さく何度も行うほうが安全",
      "監視のダッシュボードは移行前後で同じものを並べて比較した"],
     ["Google Kubernetes Engine|https://cloud.google.com/kubernetes-engine"],
     ["kubernetes", "google-cloud", "migration"], day=0)

# === Platform Engineering Meetup #8 ===
E = "platform-eng-meetup-8"
talk(E, "idp-interviews", "IDPを作る前にやるべき社内インタビュー",
     ["吉良 優|潮風トラベル株式会社"],
     "Internal Developer Platformを作り始める前に、社内の開発者20人にインタビューを行いました。"
     "質問の設計、分析の方法、そしてインタビューから見えた本当の課題が想像と違っていた話を共有します。",
     ["課題を直接聞くより、最近困った出来事を聞く",
      "インタビューの結果はプラットフォームのロードマップに直接つなげる"],
     [], ["platform-engineering", "user-research"], day=0)

talk(E, "tilt-inner-loop", "Tiltでローカル開発のフィードバックループを短くする",
     ["鷹野 湊|紅葉ラーニング株式会社"],
     "マイクロサービスをローカルで動かすには、十数個のコンテナを手順どおりに起動する必要がありました。"
     "Tiltでローカルのクラスタへの反映を自動化し、コードの変更から動作確認までの時間を数秒に縮めた事例です。",
     ["Tiltfile はチームで共有し、個人設定は別ファイルにする",
      "live_update を使えばイメージの再ビルドを省ける"],
     ["Tilt|https://tilt.dev/"],
     ["developer-experience", "local-development", "kubernetes"], kind="lightning", day=0)

talk(E, "self-service-tickets", "セルフサービス化で減ったチケットと増えた問い合わせ",
     ["Sofia Marquez|Northpeak Labs"],
     "インフラの依頼をセルフサービス化したところ、依頼のチケットは大きく減りましたが、使い方の問い合わせが増えました。"
     "問い合わせの内訳を分析し、ドキュメントとエラーメッセージを改善した取り組みを紹介します。",
     ["エラーメッセージに次の行動を書く",
      "よくある質問はツールの中に埋め込む"],
     [], ["platform-engineering", "developer-experience"], day=0)

talk(E, "terraform-module-inventory", "Terraformモジュールの棚卸しと廃止",
     ["真鍋 大地|月光ネットワークス株式会社"],
     "数年の間に社内のTerraformモジュールは200を超え、同じ目的のものが何種類も存在していました。"
     "利用状況を調べてモジュールの棚卸しを行い、推奨モジュールへの集約と古いモジュールの廃止を進めた経緯を紹介します。"
     "あわせて、社内で自作したTerraformプロバイダの保守についても触れます。",
     ["廃止するモジュールには警告を出す期間を設ける",
      "利用状況は state ファイルから集計した"],
     [tool("Terraform")],
     ["terraform", "iac", "platform-engineering"], day=0)

talk(E, "devex-survey", "開発者体験サーベイの設計と落とし穴",
     ["小笠原 泉|宵月フィンテック株式会社"],
     "開発者体験を改善するため、半年ごとに社内サーベイを実施しています。"
     "設問の作り方、回答率を上げる工夫、数字だけを追うと陥る落とし穴を紹介します。",
     ["自由記述欄にこそ改善のヒントがある",
      "結果と改善内容を必ず回答者に返す"],
     [], ["developer-experience", "survey", "platform-engineering"], day=0)

# === Observability Conference Tokyo 2025 ===
E = "o11y-conf-2025"
talk(E, "browser-rum", "ブラウザーのRUMで見えたフロントエンドの遅さ",
     ["宮坂 紬|さくら坂リテール株式会社"],
     "サーバー側の指標はすべて正常なのに、利用者からは画面が遅いという声が届いていました。"
     "ブラウザーで計測するRUMを導入し、Core Web Vitalsと実際の操作の遅さを結び付けて改善した事例を紹介します。",
     ["INP の悪化はサードパーティのスクリプトが原因だった",
      "端末とネットワークの種類で分けて見ないと平均に埋もれる"],
     ["Grafana Faro|https://grafana.com/oss/faro/"],
     ["observability", "frontend", "rum"], day=0)

talk(E, "continuous-profiling", "継続的プロファイリングを常時有効にする運用",
     ["Wei Zhang|Bluefin Analytics"],
     "性能問題の調査のたびにプロファイラを仕掛けていては、再現しない問題に対応できません。"
     "本番環境で常にプロファイルを取り続ける継続的プロファイリングの導入と、そのオーバーヘッドの測り方を紹介します。",
     ["サンプリング間隔を調整すればオーバーヘッドは数%に収まる",
      "デプロイの前後でフレームグラフを比較する"],
     ["Parca|https://www.parca.dev/"],
     ["observability", "profiling"], day=0)

talk(E, "log-cost-reduction", "ログの保存コストを9割削減した話",
     ["三ツ矢 亘|千鳥ゲームス株式会社"],
     "すべてのアプリケーションログを高価なSaaSに送っていたため、ログの費用が監視費用全体の大半を占めていました。"
     "ログを重要度で分類し、調査に必要なものだけを検索可能な場所に残す構成へ変えた事例です。",
     ["デバッグログは本番では出さない、を徹底する",
      "長期保存はオブジェクトストレージに圧縮して置く"],
     ["Vector|https://vector.dev/"],
     ["observability", "logging", "cost"], day=0)

talk(E, "custom-exporter", "Prometheusエクスポーターを自作するときの作法",
     ["桐生 ほのか|銀杏システム株式会社"],
     "既存のエクスポーターが対応していない社内システムの指標を取るため、自作することになりました。"
     "メトリクスの命名規則、ラベルの付け方、スクレイプ時の負荷を抑える実装上の工夫を紹介します。",
     ["メトリクス名には単位を含める",
      "スクレイプのたびに重い処理を走らせない"],
     [tool("Prometheus"), "client_golang|https://github.com/prometheus/client_golang"],
     ["prometheus", "observability", "go"], day=0)

talk(E, "cardinality-explosion", "ハイカーディナリティなメトリクスの爆発を抑える",
     ["月見里 颯|北斗データ株式会社"],
     "ユーザーIDをラベルに含めたメトリクスが原因で、時系列の数が急増し、監視基盤が応答しなくなりました。"
     "ハイカーディナリティなデータをメトリクスとトレースのどちらで扱うべきか、判断の基準を整理します。",
     ["ID のような値はラベルではなくトレースの属性に載せる",
      "時系列の数を監視するメタ監視を入れた"],
     [tool("Prometheus")],
     ["observability", "prometheus", "metrics"], day=0)

talk(E, "o11y-roi", "可観測性の費用対効果を経営に説明する",
     ["大河内 誠一郎|CloudNative Days 実行委員会"],
     "監視ツールの費用が年々増える中で、その投資に見合う効果があるのかを経営層から問われました。"
     "障害の検知時間と復旧時間の変化を金額に換算し、可観測性への投資を説明した方法を紹介します。",
     ["障害1時間あたりの損失額を事業側と一緒に見積もる",
      "ツールの費用だけでなく調査にかかる人件費も比較する"],
     [], ["observability", "cost", "management"], kind="keynote", day=0)

talk(E, "otlp-unified", "OTLPで統一するテレメトリー収集",
     ["高梨 美月|Kestrel Networks"],
     "言語やチームごとに異なるエージェントで監視データを送っていたため、設定の管理と費用が膨らんでいました。"
     "OTLPを共通の形式にし、OpenTelemetry Collectorを経由してテレメトリーを集める構成に揃えた事例です。",
     ["Collector はエージェントとゲートウェイの2段構成にした",
      "送信先の切り替えが Collector の設定だけで済むようになった"],
     ["OpenTelemetry Collector|https://opentelemetry.io/docs/collector/"],
     ["observability", "opentelemetry"], day=0)

talk(E, "loki-label-design", "Grafana Lokiのラベル設計で失敗しないために",
     ["堀之内 渉|朝凪メディア株式会社"],
     "Lokiに移ったところ、ラベルを増やしすぎてクエリが遅くなる問題に直面しました。"
     "ラベルに入れるべき値と、本文から検索すべき値の切り分けを実例とともに紹介します。",
     ["ラベルは環境やサービス名のような値の種類が少ないものだけにする",
      "検索したい ID は本文に入れて LogQL のフィルタで探す"],
     ["Grafana Loki|https://grafana.com/oss/loki/"],
     ["observability", "logging", "grafana"], kind="lightning", day=0)

# === Cloud Native Weekly Digest 2025-03 (newsletter) ===
E = "cn-weekly-2025-03"
talk(E, "kubernetes-v1-33", "Kubernetes v1.33 リリース", [],
     None,
     ["サイドカーコンテナが GA になった",
      "In-Place な Pod のリソース変更が beta に進んだ",
      "エンドポイントの古い API が非推奨に"],
     [tool("Kubernetes")], ["kubernetes", "release"], kind="release", track="Releases")

talk(E, "istio-ambient-ga", "Istio ambient mode が GA に", [],
     None,
     ["サイドカーを使わない ambient mode が正式版になった",
      "ztunnel と waypoint proxy の2層でL4とL7を分けて処理する"],
     [tool("Istio")], ["istio", "release"], kind="release", track="Releases")

talk(E, "cncf-survey-2024", "CNCF Annual Survey 2024 の要点", [],
     None,
     ["本番環境でコンテナを使う組織の割合はさらに増えた",
      "課題の1位はセキュリティ、続いて文化の変化と複雑さ"],
     [], ["cncf", "survey"], kind="article", track="Articles")

talk(E, "argo-cd-3", "Argo CD 3.0 の変更点", [],
     None,
     ["既定値がより安全な設定に変わったので、アップグレード前にリリースノートの確認が必須",
      "古い形式の設定項目が削除された"],
     [tool("Argo CD")], ["argo-cd", "gitops", "release"], kind="release", track="Releases")

talk(E, "headlamp", "Headlamp", [],
     None,
     ["プラグインで拡張できる Kubernetes の Web UI",
      "デスクトップアプリとしても動く"],
     ["Headlamp|https://headlamp.dev/"], ["kubernetes", "ui"], kind="tool", track="Tools")

talk(E, "youki-rust-runtime", "Rustで書かれたコンテナランタイム youki", [],
     None,
     ["OCI 準拠のコンテナランタイムを Rust で実装したプロジェクト",
      "起動の速さとメモリ消費の小ささが特徴"],
     ["youki|https://github.com/containers/youki"], ["rust", "container-runtime"], kind="tool", track="Tools")

talk(E, "flux-gitops-fullwidth", "Ｆｌｕｘ ＣＤで始めるＧｉｔＯｐｓ入門記事", [],
     None,
     ["Ｆｌｕｘ のブートストラップ手順を順に解説している日本語記事",
      "HelmRelease と Kustomization の使い分けがわかりやすい"],
     ["Flux CD|https://fluxcd.io/"], ["gitops", "flux"], kind="article", track="Articles")

talk(E, "valkey-8", "Valkey 8.0 リリース", [],
     None,
     ["Redis のライセンス変更を受けてフォークされた Valkey の大きな更新",
      "マルチスレッド化された I/O で性能が向上した"],
     ["Valkey|https://valkey.io/"], ["database", "oss", "release"], kind="release", track="Releases")

# === KubeCon + CloudNativeCon Japan 2025 ===
E = "kubecon-japan-2025"
talk(E, "thanos-billion-series", "Scaling Prometheus to a Billion Series with Thanos",
     ["Oliver Brandt|Harborlight", "市ノ瀬 蒼|Harborlight"],
     "We run Prometheus in more than 300 clusters and keep two years of metrics. "
     "This talk walks through our Thanos architecture, the compaction and downsampling settings that matter, "
     "and how we keep query latency low as the number of series grows past one billion. "
     "We alert on the golden signals of the query path, and keep the long tail of slow queries visible without sampling.",
     ["Thanos の Compactor は専用のノードで動かす",
      "ダウンサンプリングのおかげで長期間のクエリが現実的な速度になった"],
     ["Thanos|https://thanos.io/", tool("Prometheus")],
     ["prometheus", "observability", "scale"], lang="en", day=0)

talk(E, "ebpf-network-policy", "eBPF-based Network Policy at Scale",
     ["Daniel Okafor|Kestrel Networks"],
     "Enforcing network policy with iptables stops scaling at a few thousand services. "
     "We show how an eBPF datapath keeps policy lookups constant-time, how XDP drops unwanted traffic before it reaches the stack, "
     "and what broke when we rolled it out.",
     ["XDP でカーネルのネットワークスタックに届く前にパケットを落とせる",
      "ポリシー数が増えても eBPF のマップ参照は定数時間"],
     [tool("Cilium")],
     ["ebpf", "networking", "security"], lang="en", day=0)

talk(E, "zero-to-platform", "Zero to Platform: Building an Internal Developer Platform in Six Months",
     ["Sofia Marquez|Northpeak Labs"],
     "Our platform team had six months and four engineers. "
     "We explain which capabilities we built first, which ones we bought, and how we measured adoption without forcing anyone, "
     "relying on clear communication instead of mandates.",
     ["最初に作ったのはサービスの雛形生成とデプロイの仕組み",
      "利用を強制せず、使われた割合で成功を測った"],
     [], ["platform-engineering", "developer-experience"], lang="en", kind="keynote", day=0)

talk(E, "wasm-components-k8s", "WebAssembly Components on Kubernetes",
     ["Oliver Brandt|Harborlight"],
     "WebAssembly components start in milliseconds and run in a sandbox. "
     "We compare runwasi, SpinKube and wasmCloud for running components next to containers, and share benchmarks.",
     ["コールドスタートはコンテナより二桁速い",
      "ネットワークやファイルへのアクセスは WASI の対応状況に左右される"],
     ["SpinKube|https://www.spinkube.dev/", "wasmCloud|https://wasmcloud.com/"],
     ["wasm", "kubernetes"], lang="en", day=1)

talk(E, "argocd-applicationsets", "Multi-cluster GitOps with ArgoCD ApplicationSets",
     ["市ノ瀬 蒼|Harborlight"],
     "Managing hundreds of clusters by hand-written Applications does not scale. "
     "We show how ArgoCD ApplicationSets generate applications from cluster labels, and how we roll out changes wave by wave.",
     ["クラスタのラベルから Application を生成すれば、クラスタ追加時の作業がなくなる",
      "変更はラベルで区切った波ごとに展開する"],
     ["ArgoCD|https://argo-cd.readthedocs.io/"],
     ["gitops", "argo-cd", "multi-cluster"], lang="en", day=1)

talk(E, "confidential-containers", "Confidential Containers in Practice",
     ["Hannah Lindqvist|Tidewater Systems"],
     "Confidential computing protects data in use with hardware-based trusted execution environments. "
     "We deployed Confidential Containers for a regulated workload and share what attestation looks like in practice.",
     ["アテステーションの失敗時の挙動を最初に確認しておく",
      "性能の低下は I/O の多い処理で目立った"],
     ["Confidential Containers|https://confidentialcontainers.org/"],
     ["security", "confidential-computing"], lang="en", day=1)

talk(E, "dra-gpu-sharing", "Dynamic Resource Allocation for GPU Sharing",
     ["Wei Zhang|Bluefin Analytics"],
     "Device plugins cannot express partial or shared GPUs well. "
     "This session explains Dynamic Resource Allocation, ResourceClaims and how we share accelerators between inference workloads.",
     ["DRA では ResourceClaim で GPU の要求を宣言する",
      "推論のワークロードは GPU を分け合うと利用率が大きく上がる"],
     [tool("Kubernetes")],
     ["kubernetes", "gpu", "ai"], lang="en", day=0)

talk(E, "contributing-in-japanese", "日本語話者のためのKubernetesコントリビューション入門",
     ["桐生 ほのか|銀杏システム株式会社"],
     "Kubernetesへの貢献は英語のハードルが高いと思われがちですが、日本語ドキュメントの翻訳やレビューから始める道があります。"
     "SIG Docsの日本語チームでの活動を例に、最初の一歩の踏み出し方を紹介します。",
     ["最初は翻訳済みページの誤字修正から始めるとよい",
      "週次の日本語ミーティングで質問できる"],
     [tool("Kubernetes")],
     ["kubernetes", "community", "oss"], day=1)

talk(E, "scheduling-latency", "Kubernetesのスケジューリング遅延を追う",
     ["広瀬 湊|瑞穂モビリティ株式会社"],
     "数千ノードのクラスタで、Podが作られてから配置されるまでの時間が数十秒に延びることがありました。"
     "kube-schedulerのメトリクスとトレースから原因を切り分け、プラグインの設定を見直した調査の過程を紹介します。",
     ["キューに滞留している Pod の数を常に監視する",
      "PreFilter の重い処理がボトルネックだった"],
     [tool("Kubernetes")],
     ["kubernetes", "scheduling", "performance"], day=0)

talk(E, "opentelemetry-ebpf-profiler", "OpenTelemetry eBPF Profiler: Profiling as the Fourth Signal",
     ["Oliver Brandt|Harborlight"],
     "Profiles are becoming the fourth signal in OpenTelemetry. "
     "We introduce the eBPF profiler donated to the project, how it symbolizes native and interpreted stacks, "
     "and how profiles link to traces.",
     ["プロファイルはトレースに続く4つ目のシグナルとして標準化が進んでいる",
      "インタプリタ言語のスタックも eBPF でたどれる"],
     [tool("OpenTelemetry")],
     ["opentelemetry", "ebpf", "profiling"], lang="en", day=1)

talk("sre-next-2024", "kyoto-datacenter", "京都に新設したデータセンターとの低遅延な接続",
     ["井筒 悠|鳴門エナジー株式会社"],
     "関西の利用者に向けた応答速度の改善と災害対策のため、京都に2つ目のデータセンターを開設しました。"
     "既存の拠点との間の専用線の冗長化、拠点をまたいだデータベースの同期方式、そして切り替え訓練の進め方を紹介します。",
     ["拠点間の往復遅延を前提にして同期と非同期のレプリケーションを使い分けた",
      "切り替え訓練は業務時間内に行い、関係者全員が手順を経験する"],
     [], ["datacenter", "networking", "disaster-recovery"], day=1)

# Text pasted from other systems: half-width katakana (an old mailing list) and decomposed kana
# (NFD, as macOS file names and some PDF exports produce it).
talk("cn-weekly-2025-03", "o11y-seminar-halfwidth", "ｵﾌﾞｻﾞｰﾊﾞﾋﾞﾘﾃｨ入門ｾﾐﾅｰ開催のお知らせ", [],
     None,
     ["社内向けのﾊﾝｽﾞｵﾝ形式で、ﾒﾄﾘｸｽとﾄﾚｰｽの基本を一日で学べる",
      "申し込みはﾌｫｰﾑから。定員は30名"],
     [], ["observability", "training"], kind="article", track="Articles")

talk("cn-weekly-2025-03", "db-backup-nfd", unicodedata.normalize("NFD", "データベースのバックアップ検証を自動化するガイド"), [],
     None,
     [unicodedata.normalize("NFD", "バックアップから毎晩リストアして、件数とチェックサムを比較する"),
      unicodedata.normalize("NFD", "ダンプの取得時間が伸びてきたらスナップショット方式に切り替える")],
     [], ["database", "backup"], kind="article", track="Articles")


# A few more anchors, grouped here because they were written last.
talk("sre-next-2023", "capacity-planning", "リソース逼迫を先回りで検知するキャパシティプランニング",
     ["長谷川 陽菜|ツバメ不動産株式会社"],
     "繁忙期のアクセス増でノードのリソースが逼迫し、スケールが間に合わない事態が起きました。"
     "過去のメトリクスから需要を予測し、四半期ごとにキャパシティプランニングを回す仕組みと、"
     "Prometheusのpredict_linearを使ったアラート設計を紹介します。",
     ["需要予測は営業部門のキャンペーン計画と突き合わせる",
      "予測の外れ方を毎回記録すると精度が上がっていく"],
     [tool("Prometheus")],
     ["capacity-planning", "prometheus", "sre"], day=0)

talk("cndt2023", "helm-chart-swamp", "属人化したHelm Chart沼からの脱出",
     ["笹森 恭平|マルヤマ食品EC株式会社"],
     "数年かけて増え続けた社内のHelm Chartは、テンプレートの入れ子と条件分岐だらけで、書いた本人しか直せない状態でした。"
     "Chartを共通ライブラリと薄いラッパーに分け、helm-unittestでテストを書けるようにした経緯を5分で話します。",
     ["共通部分は library chart に切り出す",
      "テンプレートの条件分岐は3段以上ネストさせない"],
     [tool("Helm"), "helm-unittest|https://github.com/helm-unittest/helm-unittest"],
     ["helm", "kubernetes"], kind="lightning", day=1)

talk("cndt2023", "kms-key-rotation", "暗号鍵のローテーションを自動化するKMS運用",
     ["小野寺 朔|カモメ証券株式会社"],
     "金融系のシステムでは暗号鍵を定期的に更新することが求められますが、手作業のローテーションは漏れや事故の原因になっていました。"
     "Cloud KMSとExternal Secrets Operatorを組み合わせ、鍵の世代管理と再暗号化を自動化した仕組みを紹介します。",
     ["古い世代の鍵は無効化する前に利用状況を確認する",
      "再暗号化のバッチは小さな単位で進め、途中から再開できるようにする"],
     ["Cloud KMS|https://cloud.google.com/security/products/security-key-management",
      "External Secrets Operator|https://external-secrets.io/"],
     ["security", "secrets", "compliance"], day=1)


# ---------------------------------------------------------------------------------------------
# Filler talks: generated from topics x angles, sharing the common vocabulary on purpose.
# ---------------------------------------------------------------------------------------------

COMPANIES = [
    "株式会社ミドリクラウド", "ハヤブサ決済株式会社", "ソラマメ物流株式会社", "カモメ証券株式会社",
    "ツバメ不動産株式会社", "コトノハ出版株式会社", "ヒバリ交通株式会社", "雲海システムズ株式会社",
    "北斗データ株式会社", "あおぞらペイ株式会社", "マルヤマ食品EC株式会社", "青嵐テクノロジーズ株式会社",
    "千鳥ゲームス株式会社", "若葉ヘルスケア株式会社", "白樺ソフト株式会社", "鳴門エナジー株式会社",
    "朝凪メディア株式会社", "紅葉ラーニング株式会社", "瑞穂モビリティ株式会社", "さくら坂リテール株式会社",
    "宵月フィンテック株式会社", "潮風トラベル株式会社", "銀杏システム株式会社", "月光ネットワークス株式会社",
    "株式会社ふたば農園テック", "株式会社つむぎ保険", "株式会社かがり火スタジオ", "株式会社あけぼの配送",
]
COMPANIES_EN = ["Lumenfield Inc.", "Tidewater Systems", "Quokka Cloud", "Kestrel Networks",
                "Bluefin Analytics", "Northpeak Labs", "Driftwood Data", "Amberline", "Harborlight",
                "Cobalt Finch"]


def short_company(c):
    return c.replace("株式会社", "").strip()


SURNAMES = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田",
            "山田", "佐々木", "松本", "井上", "木村", "斎藤", "清水", "山口", "池田", "橋本", "阿部",
            "石川", "前田", "岡田", "後藤", "村上", "近藤", "坂本", "遠藤", "青木", "西村", "福田",
            "太田", "三浦", "岡本", "松田", "中川", "原田", "小川"]
GIVEN = ["翔", "大輔", "直樹", "恵", "彩", "亮", "智也", "真由美", "拓也", "由佳", "和也", "美咲",
         "健一", "達也", "優子", "翼", "航", "千尋", "陸", "結衣", "昌平", "沙織", "悠真", "七海"]
EN_NAMES = ["Alex Morgan", "Chris Novak", "Maria Santos", "James Whitfield", "Lena Fischer",
            "Tom Becker", "Nina Petrova", "Arjun Mehta", "Grace Liu", "Samuel Osei", "Elena Rossi",
            "Kevin Park", "Julia Kowalski", "Rahul Iyer", "Emma Dubois", "Lucas Silva"]


def make_people():
    people = []
    combos = [(s, g) for s in SURNAMES for g in GIVEN]
    rng.shuffle(combos)
    seen = set()
    for s, g in combos:
        if len(people) >= 110:
            break
        if (s, g) in seen:
            continue
        seen.add((s, g))
        people.append((f"{s} {g}", rng.choice(COMPANIES)))
    for n in EN_NAMES:
        people.append((n, rng.choice(COMPANIES_EN)))
    return people


PEOPLE = make_people()

# Each topic: key, name as written in titles, tags, tools, sentences that set the scene
# ({co} = company, {n} = a number), detail sentences, takeaways, English name for English talks.
TOPICS = [
    dict(key="argocd", name="Argo CD", tags=["gitops", "argo-cd", "kubernetes"], tools=[tool("Argo CD")],
         scene=["{co}では{n}個のKubernetesクラスタへのデプロイをArgo CDで管理しています。",
                "{co}ではGitOpsの考え方でArgo CDを使い、アプリケーションのデプロイを運用しています。"],
         detail=["ApplicationSetでクラスタごとの差分を最小限に保つ構成を紹介します。",
                 "Syncの失敗や差分検出のノイズに悩まされた経験から、運用で気をつけている点を共有します。"],
         takes=["Sync Wave で依存関係のあるリソースの順序を制御する", "本番環境の Auto Sync には承認を挟む",
                "Argo CD の通知は Slack のチャンネルに集約した"]),
    dict(key="helm", name="Helm", tags=["helm", "kubernetes"], tools=[tool("Helm")],
         scene=["{co}ではHelmでミドルウェアと社内アプリケーションのマニフェストを管理しています。"],
         detail=["Chartのバージョン管理とリリースの手順を整理した結果を共有します。",
                 "values.yamlの肥大化を防ぐための工夫を紹介します。"],
         takes=["Chart のバージョンとアプリのバージョンは別に管理する", "helm diff でレビュー時に差分を確認する"]),
    dict(key="terraform", name="Terraform", tags=["terraform", "iac"], tools=[tool("Terraform")],
         scene=["{co}ではクラウドのインフラをTerraformでコード化し、{n}人のエンジニアで運用しています。"],
         detail=["stateの分割単位とディレクトリ構成をどう決めたかを紹介します。",
                 "planの結果をPRに表示してレビューする流れを整えました。"],
         takes=["state はチームとライフサイクルで分割する", "plan の差分は CI で PR にコメントする",
                "ドリフトの検出を毎日実行している"]),
    dict(key="prometheus", name="Prometheus", tags=["prometheus", "monitoring"], tools=[tool("Prometheus")],
         scene=["{co}ではPrometheusでKubernetesクラスタとアプリケーションの監視を行っています。"],
         detail=["アラートルールの整理と、監視の対象を増やしても破綻しない構成を紹介します。",
                 "記録ルールを使ってダッシュボードの表示を速くした工夫も共有します。"],
         takes=["アラートには必ず対応手順へのリンクを付ける", "記録ルールで重いクエリを事前に計算しておく"]),
    dict(key="grafana", name="Grafana", tags=["grafana", "monitoring", "observability"], tools=[tool("Grafana")],
         scene=["{co}ではGrafanaのダッシュボードを全チームの監視の入口にしています。"],
         detail=["ダッシュボードをコードで管理し、チームごとに乱立するのを防いだ方法を紹介します。"],
         takes=["ダッシュボードはコードで管理し、手作業の変更を禁止する", "まず見るべきパネルを左上に置く"]),
    dict(key="otel", name="OpenTelemetry", tags=["opentelemetry", "observability", "tracing"],
         tools=[tool("OpenTelemetry")],
         scene=["{co}ではOpenTelemetryで分散トレーシングを導入し、マイクロサービス間の呼び出しを追跡しています。"],
         detail=["自動計装と手動計装の使い分けと、トレースの属性の命名規則を紹介します。"],
         takes=["まずは自動計装から始めて、足りない箇所だけ手動で計装する", "属性の命名は Semantic Conventions に従う"]),
    dict(key="datadog", name="Datadog", tags=["datadog", "monitoring", "observability"],
         tools=["Datadog|https://www.datadoghq.com/"],
         scene=["{co}ではDatadogを使ってインフラとアプリケーションの監視を一元化しています。"],
         detail=["費用を抑えながら必要なデータを残すための設定の見直しを紹介します。"],
         takes=["カスタムメトリクスの数を定期的に確認する", "タグの付け方を全チームで統一する"]),
    dict(key="istio", name="Istio", tags=["istio", "networking", "kubernetes"], tools=[tool("Istio")],
         scene=["{co}ではIstioを使ってサービス間の通信制御とトラフィック管理を行っています。"],
         detail=["バージョンアップの手順と、設定ミスを防ぐための検証の仕組みを紹介します。"],
         takes=["istioctl analyze を CI で実行して設定ミスを防ぐ", "コントロールプレーンは一つずつ段階的に更新する"]),
    dict(key="cilium", name="Cilium", tags=["cilium", "networking", "kubernetes"], tools=[tool("Cilium")],
         scene=["{co}ではKubernetesのネットワークにCiliumを採用しています。"],
         detail=["Hubbleを使った通信の可視化と、ネットワークポリシーの運用を紹介します。"],
         takes=["Hubble で Pod 間の通信を可視化するとポリシーの設計が楽になる", "ネットワークポリシーは既定で拒否から始める"]),
    dict(key="gha", name="GitHub Actions", tags=["ci-cd", "github-actions"], tools=[tool("GitHub Actions")],
         scene=["{co}ではCI/CDをGitHub Actionsに統一し、{n}個のリポジトリで利用しています。"],
         detail=["ビルド時間の短縮とセルフホストランナーの運用について紹介します。",
                 "キャッシュの使い方とジョブの並列化でCIの待ち時間を減らした工夫を共有します。"],
         takes=["依存関係のキャッシュでビルド時間が半分になった", "セルフホストランナーは使い捨てにする"]),
    dict(key="eks", name="Amazon EKS", tags=["aws", "eks", "kubernetes"],
         tools=["Amazon EKS|https://aws.amazon.com/eks/"],
         scene=["{co}ではAmazon EKSで本番環境のKubernetesクラスタを{n}個運用しています。"],
         detail=["クラスタのバージョンアップとアドオンの管理の方法を紹介します。"],
         takes=["マネージドノードグループで OS の更新を自動化する", "アドオンのバージョンは Terraform で固定する"]),
    dict(key="gke", name="GKE", tags=["google-cloud", "gke", "kubernetes"],
         tools=["Google Kubernetes Engine|https://cloud.google.com/kubernetes-engine"],
         scene=["{co}ではGKEでサービスを運用しており、クラスタの数は{n}個になりました。"],
         detail=["Autopilotモードと標準モードの使い分けを紹介します。"],
         takes=["Autopilot はノード管理の手間がなくなる代わりに制約もある", "リリースチャンネルで更新の時期を揃える"]),
    dict(key="trivy", name="Trivy", tags=["security", "vulnerability", "ci-cd"],
         tools=["Trivy|https://trivy.dev/"],
         scene=["{co}ではコンテナイメージの脆弱性スキャンにTrivyを使っています。"],
         detail=["検出された脆弱性の優先順位付けと、対応の流れを紹介します。"],
         takes=["重大度だけでなく、実際に使われているパッケージかどうかで優先度を決める", "スキャンは CI と定期実行の両方で行う"]),
    dict(key="certmanager", name="cert-manager", tags=["security", "tls", "kubernetes"],
         tools=["cert-manager|https://cert-manager.io/"],
         scene=["{co}ではcert-managerで社内外の証明書の発行と更新を自動化しています。"],
         detail=["証明書の期限切れによる障害をなくすための監視を紹介します。"],
         takes=["証明書の残り日数をメトリクスで監視する", "発行元ごとに Issuer を分ける"]),
    dict(key="postgres", name="PostgreSQL", tags=["database", "postgresql"],
         tools=["PostgreSQL|https://www.postgresql.org/"],
         scene=["{co}ではPostgreSQLを主要なデータベースとして使い、データ量は{n}TBを超えました。"],
         detail=["スロークエリの調査とインデックス設計の見直しを紹介します。",
                 "バキュームの設定と、大きなテーブルの運用で気をつけていることを共有します。"],
         takes=["pg_stat_statements で遅いクエリを定期的に確認する", "大きなテーブルの列追加は段階的に行う"]),
    dict(key="mysql", name="MySQL", tags=["database", "mysql"], tools=["MySQL|https://www.mysql.com/"],
         scene=["{co}ではMySQLで会員情報と注文のデータを管理しています。"],
         detail=["オンラインでのスキーマ変更とレプリケーションの遅延対策を紹介します。"],
         takes=["スキーマ変更は gh-ost で行う", "レプリケーション遅延はアラートの対象にする"]),
    dict(key="redis", name="Redis", tags=["database", "cache"], tools=["Redis|https://redis.io/"],
         scene=["{co}ではRedisをキャッシュとセッションの保存先として使っています。"],
         detail=["キャッシュの設計と、メモリ使用量の管理について紹介します。"],
         takes=["キャッシュには必ず有効期限を設定する", "大きなキーを定期的に検出する"]),
    dict(key="kafka", name="Kafka", tags=["kafka", "streaming"], tools=["Apache Kafka|https://kafka.apache.org/"],
         scene=["{co}ではKafkaでサービス間のイベントを連携しています。"],
         detail=["パーティション数の決め方と、コンシューマの遅延の監視を紹介します。"],
         takes=["コンシューマの遅延は件数ではなく時間で監視する", "トピックの命名規則を最初に決める"]),
    dict(key="goservice", name="Go", tags=["go", "microservices"], tools=["Go|https://go.dev/"],
         scene=["{co}ではバックエンドのマイクロサービスをGoで開発しています。"],
         detail=["コードベースの構成と、テストの書き方の工夫を紹介します。"],
         takes=["インターフェースは使う側で定義する", "テーブル駆動テストでケースを網羅する"]),
    dict(key="rust", name="Rust", tags=["rust"], tools=["Rust|https://www.rust-lang.org/"],
         scene=["{co}では性能が求められる一部のサービスをRustで書き直しました。"],
         detail=["チームでRustを学んだ過程と、本番運用で分かったことを紹介します。"],
         takes=["所有権の概念に慣れるまで2か月ほどかかった", "CPU 使用率が大きく下がった"]),
    dict(key="laravel", name="Laravel", tags=["php", "laravel"], tools=["Laravel|https://laravel.com/"],
         scene=["{co}ではLaravelで作られたWebアプリケーションを{y}年にわたって運用しています。"],
         detail=["テストの整備とバージョンアップの進め方を紹介します。"],
         takes=["フレームワークのバージョンアップは毎年の定例作業にする", "Feature テストから整備すると安心感が大きい"]),
    dict(key="php", name="PHP", tags=["php"], tools=["PHP|https://www.php.net/"],
         scene=["{co}ではPHPで書かれたECサイトを開発しています。"],
         detail=["コードの品質を保つための取り組みを紹介します。"],
         takes=["コーディング規約は自動整形に任せる", "レビューでは設計の議論に時間を使う"]),
    dict(key="slo", name="SLO", tags=["sre", "slo"], tools=[],
         scene=["{co}ではサービスの信頼性を測る指標としてSLOを導入しました。"],
         detail=["SLIの選び方と、目標値をどう決めたかを紹介します。"],
         takes=["SLI は利用者の体験に近いものを選ぶ", "目標値は過去の実績から始めて見直す"]),
    dict(key="oncall", name="オンコール", tags=["sre", "on-call"], tools=["PagerDuty|https://www.pagerduty.com/"],
         scene=["{co}では{n}人のチームでオンコールを担当しています。"],
         detail=["アラートの数を減らし、対応の負担を下げた取り組みを紹介します。"],
         takes=["対応不要なアラートは削除する", "呼び出しの件数を毎週振り返る"]),
    dict(key="cost", name="クラウドコスト", tags=["cost", "cloud"], tools=[],
         scene=["{co}ではクラウドの利用料が毎月増え続けていました。"],
         detail=["コストの可視化と、削減の施策を紹介します。"],
         takes=["コストはチームごとに見えるようにする", "使われていないリソースを毎月削除する"]),
    dict(key="vault", name="Vault", tags=["security", "secrets"], tools=["Vault|https://www.vaultproject.io/"],
         scene=["{co}ではアプリケーションのシークレットをVaultで管理しています。"],
         detail=["シークレットの配布方法とアクセス権限の設計を紹介します。"],
         takes=["シークレットは環境変数ではなくファイルで渡す", "アクセスの記録を定期的に確認する"]),
    dict(key="k6", name="k6", tags=["load-testing", "performance"], tools=["k6|https://k6.io/"],
         scene=["{co}ではリリース前の負荷試験にk6を使っています。"],
         detail=["シナリオの作り方と、結果の読み方を紹介します。"],
         takes=["本番のアクセスの傾向からシナリオを作る", "負荷試験は定期的に実行して性能の劣化に気付く"]),
    dict(key="knative", name="Knative", tags=["serverless", "kubernetes"], tools=["Knative|https://knative.dev/"],
         scene=["{co}ではKnativeでサーバーレスな実行環境を社内に提供しています。"],
         detail=["コールドスタートの対策と、利用者向けのテンプレートを紹介します。"],
         takes=["最小スケールを1にするとコールドスタートを避けられる", "テンプレートで設定のばらつきを防ぐ"]),
    dict(key="gatewayapi", name="Gateway API", tags=["networking", "kubernetes"],
         tools=["Gateway API|https://gateway-api.sigs.k8s.io/"],
         scene=["{co}ではIngressからGateway APIへの切り替えを進めています。"],
         detail=["HTTPRouteを使ったトラフィックの分割と、役割ごとの権限の分け方を紹介します。"],
         takes=["Gateway とルートの管理者を分けられるのが利点", "HTTPRoute の重みでトラフィックを分割できる"]),
    dict(key="renovate", name="Renovate", tags=["dependency-management", "ci-cd"],
         tools=["Renovate|https://docs.renovatebot.com/"],
         scene=["{co}では依存ライブラリの更新をRenovateで自動化しています。"],
         detail=["更新のPRが多すぎて放置される問題への対策を紹介します。"],
         takes=["パッチ更新はまとめて自動でマージする", "メジャー更新は担当者を決めて対応する"]),
    dict(key="docker", name="Docker", tags=["container", "docker"], tools=["Docker|https://www.docker.com/"],
         scene=["{co}ではアプリケーションをコンテナイメージとして配布しています。"],
         detail=["イメージのサイズを小さくし、ビルドを速くする工夫を紹介します。"],
         takes=["マルチステージビルドでイメージを小さくする", "ベースイメージは定期的に更新する"]),
    dict(key="sentry", name="Sentry", tags=["error-tracking", "observability"], tools=["Sentry|https://sentry.io/"],
         scene=["{co}ではアプリケーションのエラーをSentryで収集しています。"],
         detail=["大量のエラー通知に埋もれないための設定を紹介します。"],
         takes=["リリースごとに新しく出たエラーだけを通知する", "エラーの担当チームを自動で割り当てる"]),
]
TOPIC = {t["key"]: t for t in TOPICS}

# Angles: how a talk approaches its topic. {name} = topic name, {n} = number, {co} = company.
ANGLES = [
    dict(key="intro", titles=["ゼロから始める{name}", "はじめての{name}:導入の第一歩", "{name}導入のリアル"],
         sents=["これから{name}を導入するチームに向けて、最初に決めておくべきことを順を追って解説します。",
                "導入の準備から本番投入までにつまずいた点を共有します。"],
         takes=["小さく始めて、運用の手順を先に決めておく", "導入の目的をチームで言葉にしておく"]),
    dict(key="scale", titles=["{n}クラスタ規模で運用する{name}", "大規模環境における{name}の運用", "{name}を全社に広げるまで"],
         sents=["利用するチームが増えるにつれて、設定の重複と運用の負荷が問題になってきました。",
                "規模が大きくなっても破綻しない運用の仕組みを紹介します。"],
         takes=["共通の設定はテンプレートにまとめる", "運用の手順はすべてコードにする"]),
    dict(key="cost", titles=["{name}のコストを見直す", "{name}の費用を半分にした方法"],
         sents=["利用が広がるとともに、クラウドの費用が予算を超えるようになりました。",
                "コストを見える化し、削減の施策を順番に実施した結果を共有します。"],
         takes=["まずはコストを見える化する", "削減の効果を毎月チームで確認する"]),
    dict(key="reliability", titles=["{name}の信頼性を高める取り組み", "{name}で起きた障害とその対策", "{name}の障害から学んだこと"],
         sents=["過去に起きた障害を振り返り、再発を防ぐために行った改善を紹介します。",
                "障害の影響を小さくするための設計と、監視の見直しについて話します。"],
         takes=["障害の振り返りで決めた対策は期限を決めて実施する", "監視は利用者への影響を基準に見直す"]),
    dict(key="security", titles=["{name}のセキュリティを強化する", "安全に{name}を使うための設定"],
         sents=["セキュリティの監査で見つかった課題をきっかけに、設定と権限を見直しました。",
                "権限の最小化と監査ログの整備について紹介します。"],
         takes=["権限は必要最小限にする", "監査ログは改変できない場所に保存する"]),
    dict(key="automation", titles=["{name}の運用を自動化する", "手作業をなくす{name}の運用"],
         sents=["手作業の運用が多く、担当者の負担と作業ミスが課題になっていました。",
                "繰り返し発生する作業を自動化し、運用の負担を減らした取り組みを紹介します。"],
         takes=["手順書に書ける作業は自動化できる", "自動化したら実行結果を必ず通知する"]),
    dict(key="team", titles=["{name}を支えるチームづくり", "{name}とチームの{y}年間"],
         sents=["技術だけでなく、チームの体制と役割分担も見直してきました。",
                "チーム内の知識の共有と、新しいメンバーの立ち上がりを早くする工夫を紹介します。"],
         takes=["知識の共有はペア作業が一番早い", "新しいメンバーには最初の週に本番へのデプロイを経験してもらう"]),
    dict(key="perf", titles=["{name}の性能改善の記録", "{name}を速くするためにやったこと"],
         sents=["利用者の増加とともに応答時間が悪化し、性能の改善が急務になりました。",
                "計測から始めてボトルネックを特定し、改善した過程を紹介します。"],
         takes=["推測せず、まず計測する", "改善の前後で同じ条件の計測を行う"]),
    dict(key="retro", titles=["{name}を{y}年使い続けて分かったこと", "{name}運用の振り返り"],
         sents=["{y}年間の運用を振り返り、うまくいったことと、やり直したいことを率直に共有します。",
                "導入当初の判断が、その後の運用にどう影響したかを紹介します。"],
         takes=["最初の設計判断は後から変えにくいので記録に残しておく", "運用の知見は社外にも発信すると採用にもつながる"]),
    dict(key="monitoring", titles=["{name}の監視を見直す", "{name}の監視とアラート設計"],
         sents=["監視の対象が増えすぎて、本当に見るべき指標が分からなくなっていました。",
                "監視とアラートを整理し直した結果を紹介します。"],
         takes=["アラートは対応が必要なものだけにする", "ダッシュボードは利用者の体験から作る"]),
]

EN_TITLES = ["{name} at Scale: Lessons from {coen}", "What We Learned Running {name} for {y} Years",
             "Demystifying {name} for Platform Teams", "Building Reliable Delivery with {name}",
             "Taming {name} in a Multi-Team Organization", "{name} in Production: A Field Report from {coen}"]
EN_SENTS = ["In this talk, {coen} shares how we run {name} across {n} clusters and what we changed along the way.",
            "We cover the operational pitfalls we hit, the automation that fixed them, and the metrics we watch.",
            "Attendees will leave with a checklist they can apply to their own {name} setup.",
            "We also discuss how the platform team and application teams split responsibilities."]

# Event profile: number of filler talks, topics, kinds and the share of English talks.
PROFILES = {
    "cndt2023": (30, ["argocd", "helm", "terraform", "prometheus", "grafana", "otel", "istio", "cilium", "eks",
                      "gke", "trivy", "certmanager", "knative", "gatewayapi", "docker", "vault"],
                 ["session"] * 8 + ["sponsor", "lightning"], 0.0),
    "sre-next-2023": (28, ["slo", "oncall", "prometheus", "grafana", "datadog", "k6", "postgres", "mysql", "sentry",
                           "otel", "cost"], ["session"] * 6 + ["lightning", "panel"], 0.0),
    "k8s-meetup-tokyo-61": (20, ["argocd", "helm", "eks", "gke", "cilium", "gatewayapi", "certmanager", "knative"],
                            ["session", "lightning"], 0.0),
    "phperkaigi-2024": (30, ["laravel", "php", "mysql", "redis", "docker", "sentry", "gha", "renovate"],
                        ["session"] * 4 + ["lightning"] * 2, 0.0),
    "devopsdays-tokyo-2024": (28, ["gha", "argocd", "terraform", "renovate", "docker", "cost", "k6", "datadog"],
                              ["session"] * 5 + ["workshop", "panel"], 0.0),
    "sre-next-2024": (30, ["slo", "oncall", "prometheus", "otel", "datadog", "postgres", "kafka", "k6", "sentry",
                           "redis"], ["session"] * 6 + ["lightning", "sponsor"], 0.0),
    "cndw2024": (32, ["argocd", "terraform", "prometheus", "otel", "istio", "cilium", "eks", "gke", "trivy", "vault",
                      "gatewayapi", "kafka", "rust", "goservice"], ["session"] * 8 + ["sponsor", "lightning"], 0.0),
    "platform-eng-meetup-8": (18, ["argocd", "terraform", "gha", "helm", "renovate", "cost"],
                              ["session", "lightning"], 0.0),
    "o11y-conf-2025": (24, ["prometheus", "grafana", "otel", "datadog", "sentry", "kafka"],
                       ["session"] * 4 + ["lightning", "sponsor"], 0.0),
    "cn-weekly-2025-03": (16, ["argocd", "helm", "cilium", "otel", "trivy", "terraform", "renovate", "rust"],
                          ["article", "release", "tool"], 0.0),
    "kubecon-japan-2025": (34, ["argocd", "prometheus", "otel", "istio", "cilium", "gke", "eks", "trivy",
                                "certmanager", "gatewayapi", "knative", "kafka", "goservice", "rust"],
                           ["session"] * 8 + ["keynote", "lightning", "panel"], 0.6),
}

# Words that belong to the anchors only; a filler talk that contains one is a generator bug.
RESERVED = ["移行", "可観測性", "メッシュ", "シグナル", "ブレーカー", "テナンシー", "冪等", "輻輳", "枯渇",
            "逼迫", "属人", "沼", "鍵", "型", "壁", "無停止", "棚", "塩漬", "稟議", "忖度", "輪番", "縮退",
            "証跡", "欠損", "乖離", "顛末", "閑散", "改竄", "輪読", "プランニング", "カナリア", "トラスト",
            "フェデレーション", "プロセッシング", "ポストモーテム", "バジェット", "プレイブック",
            "スケジューラ", "コントローラ", "パーサ", "ブラウザ", "メモリリーク", "メモリーリーク", "ベアメタル",
            "ユーザーストーリー", "エクスポータ", "リミッタ", "オートスケーラ", "フェイルオーバ", "プロバイダ",
            "カーディナリティ", "テレメトリー", "ランタイム", "ポータル", "マッピング", "フラグ", "ゴールデン",
            "golden path", "tail sampling", "cluster mesh", "bizdevops", "githubactions", "argocd", "karpenter",
            "kubevirt", "litmuschaos", "debezium", "openfeature", "dapr", "spiffe", "bpftrace", "exemplar",
            "capsule", "sloth", "flux", "crossplane", "kyverno", "falco", "pyroscope", "phpstan", "linkerd",
            "tilt", "velero", "keda", "rector", "psalm", "cri-o", "containerd", "reconcile", "xdp", "thanos",
            "東海林", "勅使河原", "四方田", "月見里", "御手洗", "高梨", "okafor", "lindqvist", "bellini",
            "raman", "marquez", "白鳥", "五十嵐", "健太", "渡会", "藤堂", "小野寺", "桐生", "広瀬",
            "能登", "羽鳥", "宮坂", "小笠原", "野々村", "吉良", "松浦", "三ツ矢", "宇佐美", "堀之内", "鷹野",
            "稲垣", "大河内", "市ノ瀬", "真鍋", "brandt", "zhang", "落とし穴", "駆け足", "断片化", "払い出し",
            "燃え尽き", "抽象構文木", "舗装", "地獄", "京都", "長期", "メイン",
            "communication", "井筒", "セミナー", "ハンズオン", "チェックサム", "スナップショット方式",
            "trace_id", "pub/sub", "half-open"]


def filler_for_event(event_id, count, topics, kinds, en_share, counter):
    out = []
    used_titles = set()
    for i in range(count):
        topic = TOPIC[topics[i % len(topics)]]
        angle = ANGLES[(i * 7 + len(event_id)) % len(ANGLES)]
        co = rng.choice(COMPANIES)
        coen = rng.choice(COMPANIES_EN)
        n = rng.choice([3, 5, 8, 12, 20, 30, 50])
        kind = kinds[i % len(kinds)]
        english = rng.random() < en_share
        fmt = dict(name=topic["name"], co=co, coen=coen, n=n, y=rng.choice([2, 3, 4, 5, 6, 7]))
        if kind in ("article", "release", "tool"):
            title = rng.choice([f"{topic['name']} の最新リリースまとめ", f"{topic['name']} 運用ガイドの日本語訳",
                                f"{short_company(co)}の{topic['name']}事例記事", f"{topic['name']} のロードマップ"])
            abstract = None
            takes = rng.sample(topic["takes"], min(2, len(topic["takes"])))
            speakers = []
            lang = "ja"
        elif english:
            title = rng.choice(EN_TITLES).format(**fmt)
            abstract = " ".join(s.format(**fmt) for s in rng.sample(EN_SENTS, 3))
            takes = rng.sample(topic["takes"] + angle["takes"], 2)
            speakers = rng.sample(PEOPLE, rng.choice([1, 1, 2]))
            lang = "en"
        else:
            title = rng.choice(angle["titles"]).format(**fmt)
            if rng.random() < 0.45:
                if "における" not in title and not title.startswith("ゼロから"):
                    title = f"{short_company(co)}における" + title
            abstract = (rng.choice(topic["scene"]).format(**fmt)
                        + rng.choice(angle["sents"]).format(**fmt)
                        + rng.choice(topic["detail"]).format(**fmt))
            if rng.random() < 0.5:
                abstract += rng.choice(["クラウドネイティブな運用に関心のある方に向けた内容です。",
                                        "Kubernetesの運用と監視に携わる方の参考になれば幸いです。",
                                        "当日はデモも交えてお話しします。"])
            if abstract.count("紹介します") > 1:
                head, _, tail = abstract.rpartition("を紹介します。")
                abstract = head + rng.choice(["についてお話しします。", "を共有します。", "を解説します。"]) + tail
            takes = rng.sample(topic["takes"], min(len(topic["takes"]), rng.choice([1, 2]))) + \
                rng.sample(angle["takes"], rng.choice([1, 1, 2]))
            speakers = rng.sample(PEOPLE, 3 if kind == "panel" else rng.choice([1, 1, 1, 2]))
            # The first speaker works where the talk's story happens.
            speakers[0] = (speakers[0][0], co)
            lang = "ja"
        if title in used_titles:
            title = f"{title}({short_company(co)}編)"
        used_titles.add(title)
        counter[0] += 1
        tid = f"{topic['key']}-{angle['key'] if kind not in ('article', 'release', 'tool') else kind}-{counter[0]}"
        tags = list(topic["tags"]) + ([angle["key"]] if angle["key"] in ("cost", "security", "automation") else [])
        full = talk(event_id, tid, title,
                    [f"{p}|{a}" for p, a in speakers],
                    abstract, takes, topic["tools"], tags, kind=kind, lang=lang, day=i,
                    anchor=False, track={"article": "Articles", "release": "Releases", "tool": "Tools"}.get(kind))
        out.append(full)
    return out


_counter = [0]
for _ev in EVENTS:
    prof = PROFILES[_ev[0]]
    filler_for_event(_ev[0], prof[0], prof[1], prof[2], prof[3], _counter)


# ---------------------------------------------------------------------------------------------
# Reference matcher
# ---------------------------------------------------------------------------------------------


def is_katakana(c):
    o = ord(c)
    return 0x30A1 <= o <= 0x30FA or o in (0x30FD, 0x30FE) or 0x31F0 <= o <= 0x31FF


def is_cjk(c):
    o = ord(c)
    return (0x3041 <= o <= 0x309F or 0x30A0 <= o <= 0x30FF or 0x31F0 <= o <= 0x31FF
            or o in (0x3005, 0x3006, 0x3007) or 0x3400 <= o <= 0x4DBF or 0x4E00 <= o <= 0x9FFF
            or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x2FA1F)


def norm(text):
    """NFKC, lower case, no prolonged sound mark after katakana, one space between words and
    none between two CJK characters (so 山田 花子 = 山田花子)."""
    text = unicodedata.normalize("NFKC", text).lower()
    out = []
    for c in text:
        if c == "ー" and out and is_katakana(out[-1]):
            continue
        out.append(c)
    text = re.sub(r"\s+", " ", "".join(out)).strip()
    return re.sub(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])",
                  lambda m: "" if is_cjk(text[m.start() - 1]) and is_cjk(text[m.end()]) else " ", text)


def fields_narrow(t):
    yield t["title"]
    yield t.get("abstract") or ""
    for x in t.get("takeaways", []):
        yield x["text"]
    for s in t.get("speakers", []):
        yield s["name"]
    for x in t.get("tools", []):
        yield x["name"]
    for x in t.get("tags", []):
        yield x
    yield t.get("memo") or ""


def fields_wide(t):
    yield from fields_narrow(t)
    for s in t.get("speakers", []):
        yield s.get("affiliation") or ""
        yield s.get("role") or ""
    for x in t.get("tools", []):
        yield x.get("url") or ""
    for x in t.get("links", []):
        yield x["url"]
        yield x.get("title") or ""
    yield t.get("url") or ""
    yield t.get("track") or ""
    yield t["id"]
    yield t["event"]
    yield t.get("_event_name") or ""


FILTER_KEYS = ("event", "speaker", "tool", "tag", "kind", "year", "date", "lang")


def shell_split(q):
    """Splits a query the way a shell user would type it: quotes keep a phrase together (and
    stay part of the argument, since the user quotes them for tn, not for the shell)."""
    out, cur, quoted = [], "", False
    for c in q:
        if c == '"':
            quoted = not quoted
            cur += c
        elif c.isspace() and not quoted:
            if cur:
                out.append(cur)
            cur = ""
        else:
            cur += c
    if cur:
        out.append(cur)
    return out


def parse_query(q):
    q = unicodedata.normalize("NFKC", q)
    clauses, negs, filters = [], [], []
    join_next = False
    for tok in shell_split(q):
        if tok == "OR":
            join_next = True
            continue
        neg = tok.startswith("-") and len(tok) > 1
        body = tok[1:] if neg else tok
        key, sep, value = body.partition(":")
        if sep and key.lower() in FILTER_KEYS and value and not neg:
            filters.append((key.lower(), value))
            continue
        term = norm(body.strip('"'))
        if not term:
            continue
        if neg:
            negs.append(term)
        elif join_next and clauses:
            clauses[-1].append(term)
        else:
            clauses.append([term])
        join_next = False
    return clauses, negs, filters


def filter_ok(t, key, value, strict_tools):
    if key == "event":
        return t["event"] == value
    if key == "tag":
        return norm(value) in [norm(x) for x in t.get("tags", [])]
    if key == "kind":
        return t["kind"] == value.lower()
    if key == "lang":
        return (t.get("language") or "") == value.lower()
    if key == "speaker":
        return any(norm(value) in norm(s["name"]) for s in t.get("speakers", []))
    if key == "tool":
        v = norm(value)
        if strict_tools:
            return any(v == norm(x["name"]) or v in norm(x["name"]).split(" ") for x in t.get("tools", []))
        return any(v in norm(x["name"]) for x in t.get("tools", []))
    date = t.get("date") or ""
    if key == "year":
        return date[:4] == value
    if key == "date":
        m = re.fullmatch(r"(>=|<=|>|<|=)?(\d{4}-\d{2}-\d{2})", value)
        assert m, value
        op, d = m.group(1) or "=", m.group(2)
        return {">=": date >= d, "<=": date <= d, ">": date > d, "<": date < d, "=": date == d}[op] and date != ""
    raise AssertionError(key)


def doc_text(t, wide):
    return "\n".join(norm(f) for f in (fields_wide(t) if wide else fields_narrow(t)) if f)


def matches(t, parsed, wide, strict_tools):
    clauses, negs, filters = parsed
    text = doc_text(t, wide)
    return (all(any(a in text for a in alts) for alts in clauses)
            and not any(n in text for n in negs)
            and all(filter_ok(t, k, v, strict_tools) for k, v in filters))


def reference(talks, q):
    parsed = parse_query(q)
    views = []
    for wide in (False, True):
        for strict in (False, True):
            views.append({f"{t['event']}/{t['id']}" for t in talks if matches(t, parsed, wide, strict)})
    return views


def check_queries(talks, queries, keys, label):
    errors = []
    resolved = []
    for cls, q, exp, flags, traps in queries:
        want, trap = set(), set()
        for k in exp + traps:
            if k not in keys:
                errors.append(f"{label}: {q!r}: unknown talk key {k!r}")
                continue
            (trap if k in traps else want).add(keys[k])
        views = reference(talks, q)
        for i, got in enumerate(views):
            if got != want | trap:
                errors.append(f"{label}: [{cls}] {q!r}: view {i} matches {sorted(got)}, "
                              f"expected {sorted(want)} (missing {sorted(want - got)}, extra {sorted(got - want)})")
                break
        if not want:
            errors.append(f"{label}: {q!r}: empty expected set")
        resolved.append((cls, q, sorted(want), flags))
    return errors, resolved


# ---------------------------------------------------------------------------------------------
# Known-item queries over corpus.json: (class, query, [talk keys], flags)
# ---------------------------------------------------------------------------------------------

QUERIES = []


def q(cls, query, *expected, flags="", traps=()):
    QUERIES.append((cls, query, list(expected), flags, list(traps)))


# Fragments of a sentence typed without spaces, as remembered from the abstract.
q("fragment", "リトライ予算の決め方", "circuit-breaker-payment")
q("fragment", "障害調査のたびに画面を行き来", "trace-first-investigation")
q("fragment", "書いた本人しか直せない", "helm-chart-swamp")
q("fragment", "検証環境一つ作るのにも数日", "no-ringi-cloud-budget")
q("fragment", "夜間に呼ばれたら翌日午前は休む", "oncall-rotation")
q("fragment", "ゼロからの起動時間", "keda-scale-to-zero")
q("fragment", "承認やレビューの待ち時間", "value-stream-mapping")
q("fragment", "毎晩リストア", "db-backup-nfd")

# Words of the title.
q("title", "無停止 アップグレード", "zero-downtime-upgrade")
q("title", "払い出し 高速化", "karpenter-provisioning")
q("title", "リトライ地獄", "idempotent-batch")
q("title", "抽象構文木", "php-parser-ast")
q("title", "ゴールデンパス 舗装", "golden-path-paving")
q("title", "サーベイ 落とし穴", "devex-survey")
q("title", "駆け足", "k8s-130-whats-new")
q("title", "GPU 断片化", "custom-scheduler-gpu")
q("title", "燃え尽き", "oncall-rotation")
q("title", "価値計測 ダッシュボード", "bizdevops-value-dashboard")
q("title", "ログ 保存コスト 9割", "log-cost-reduction")
q("title", "パッチ地獄", "kustomize-patches")
q("title", "組織の壁", "org-wall-devops")
q("title", "Reliability Scale Kestrel", "reliability-at-scale")
q("title", "デフラグ コンパクション", "etcd-defrag")
q("title", "Kubernetes 1.30", "k8s-130-whats-new")
q("title", "PHP 8.3", "rector-php83")
q("title", "v1.33", "kubernetes-v1-33")
q("title", "インタビュー IDP", "idp-interviews")
q("title", "あけぼの配送 Cilium 性能改善", "cilium-perf-8")
q("title", "宵月フィンテック Datadog 監視", "datadog-monitoring-232")
q("title", "マルヤマ食品EC k6 コスト", "k6-cost-144")

# Word boundaries: the query is a substring of a different word in other talks (traps), which
# a good engine does not return, or at least ranks below the real matches.
q("boundary", "京都", "kyoto-datacenter", traps=["baremetal-to-k8s"])
q("boundary", "長期", "log-cost-reduction", "thanos-billion-series", "workload-identity-federation",
  traps=["bizdevops-value-dashboard"])
q("boundary", "メイン", "reusable-workflows", traps=["data-mesh-streaming"])
q("boundary", "ロール", "multi-tenancy-platform",
  traps=["istio-cost-23", "istio-intro-7", "istio-automation-288", "istio-monitoring-260", "istio-perf-274"])
q("boundary", "community", "contributing-in-japanese", "keynote-cndt2023-future", )
q("boundary", "operator", "controller-reconcile-loop", "kms-key-rotation")
q("boundary", "Kubernetes移行", "onprem-to-gke")
q("boundary", "データ 京都", "kyoto-datacenter", traps=["baremetal-to-k8s"])

# Words that occur only inside longer katakana compounds.
q("katakana-inside", "ブレーカー", "circuit-breaker-payment")
q("katakana-inside", "テナンシー", "multi-tenancy-platform")
q("katakana-inside", "シグナル", "trace-first-investigation", "opentelemetry-ebpf-profiler")
q("katakana-inside", "メッシュ", "istio-to-cilium", "data-mesh-streaming")
q("katakana-inside", "バジェット", "error-budget-policy", "reliability-at-scale")
q("katakana-inside", "プレイブック", "incident-playbook")
q("katakana-inside", "トラスト", "spiffe-zero-trust")
q("katakana-inside", "フェデレーション", "workload-identity-federation")
q("katakana-inside", "プロセッシング", "data-mesh-streaming")
q("katakana-inside", "プランニング", "capacity-planning")
q("katakana-inside", "カナリア", "argo-rollouts-canary")
q("katakana-inside", "カーディナリティ", "cardinality-explosion")
q("katakana-inside", "ポストモーテム", "blameless-postmortem")
q("katakana-inside", "フラグ", "feature-flags-progressive", "graceful-degradation", traps=["etcd-defrag"])
q("katakana-inside", "アイデンティティ", "workload-identity-federation")
q("katakana-inside", "リミッター", "rate-limiter-fairness")

# Rare two-kanji words.
q("rare-kanji", "冪等", "idempotent-batch", "controller-reconcile-loop")
q("rare-kanji", "輻輳", "congestion-backpressure")
q("rare-kanji", "枯渇", "eks-ip-exhaustion")
q("rare-kanji", "逼迫", "capacity-planning")
q("rare-kanji", "忖度", "blameless-postmortem")
q("rare-kanji", "輪番", "oncall-rotation")
q("rare-kanji", "縮退", "graceful-degradation")
q("rare-kanji", "証跡", "incident-audit-trail")
q("rare-kanji", "稟議", "no-ringi-cloud-budget")
q("rare-kanji", "塩漬け", "legacy-php-pickled")
q("rare-kanji", "欠損", "cdc-pipeline-monitoring")
q("rare-kanji", "乖離", "sli-latency-divergence")
q("rare-kanji", "顛末", "major-incident-story")
q("rare-kanji", "改竄", "sbom-supply-chain")
q("rare-kanji", "輪読", "sre-book-reading")
q("rare-kanji", "閑散", "keda-scale-to-zero", "onprem-to-gke")
q("rare-kanji", "属人", "helm-chart-swamp")

# One-character words.
q("one-char", "鍵", "kms-key-rotation")
q("one-char", "沼", "helm-chart-swamp")
q("one-char", "壁", "org-wall-devops")
q("one-char", "型", "phpstan-levels", "phpdoc-generics", "istio-to-cilium")
q("one-char", "棚", "terraform-module-inventory", "workload-identity-federation")
q("one-char", "鍵 KMS", "kms-key-rotation")

# English terms typed in lower case.
q("lowercase-en", "bizdevops", "bizdevops-value-dashboard")
q("lowercase-en", "githubactions", "reusable-workflows")
q("lowercase-en", "karpenter", "karpenter-provisioning")
q("lowercase-en", "kubevirt", "kubevirt-vms")
q("lowercase-en", "litmuschaos", "chaos-to-production")
q("lowercase-en", "debezium", "cdc-pipeline-monitoring")
q("lowercase-en", "openfeature", "feature-flags-progressive")
q("lowercase-en", "dapr", "dapr-event-driven")
q("lowercase-en", "spiffe", "spiffe-zero-trust")
q("lowercase-en", "argocd applicationsets", "argocd-applicationsets")
q("lowercase-en", "bpftrace", "ebpf-observability-overhead")
q("lowercase-en", "exemplar", "trace-first-investigation")
q("lowercase-en", "flux gitops", "flux-gitops-fullwidth")
q("lowercase-en", "ebpf xdp", "ebpf-network-policy")
q("lowercase-en", "thanos", "thanos-billion-series")
q("lowercase-en", "sloth", "sloth-slo-as-code")
q("lowercase-en", "trace_id", "trace-first-investigation")
q("lowercase-en", "pub/sub", "dapr-event-driven")
q("lowercase-en", "half-open", "circuit-breaker-payment")

# English terms typed in full-width letters.
q("fullwidth-en", "Ｃｒｏｓｓｐｌａｎｅ", "crossplane-self-service")
q("fullwidth-en", "Ｋｙｖｅｒｎｏ", "kyverno-policy-as-code")
q("fullwidth-en", "Ｆａｌｃｏ", "falco-runtime-security")
q("fullwidth-en", "Ｐｙｒｏｓｃｏｐｅ", "memory-leak-hunt")
q("fullwidth-en", "ＰＨＰＳｔａｎ", "phpstan-levels")
q("fullwidth-en", "Ｌｉｎｋｅｒｄ", "linkerd-mtls")
q("fullwidth-en", "Ｔｉｌｔ", "tilt-inner-loop")
q("fullwidth-en", "Ｖｅｌｅｒｏ", "velero-restore-drill")
q("fullwidth-en", "ｅＢＰＦ\u3000可観測性", "ebpf-observability-overhead")
q("fullwidth-en", "Ｋｕｂｅｒｎｅｔｅｓ\u3000無停止", "zero-downtime-upgrade")
q("fullwidth-en", "ＫＥＤＡ", "keda-scale-to-zero")
q("fullwidth-en", "Ｒｅｃｔｏｒ", "rector-php83")
q("fullwidth-en", "Ｐｓａｌｍ", "phpdoc-generics")

q("fullwidth-en", "ＰＨＰ　８．３", "rector-php83")
q("fullwidth-en", "ｶﾅﾘｱ", "argo-rollouts-canary")
q("fullwidth-en", "ﾌﾞﾚｰｶｰ", "circuit-breaker-payment")
q("fullwidth-en", "オブザーバビリティ セミナー", "o11y-seminar-halfwidth")
q("fullwidth-en", "ハンズオン メトリクス", "o11y-seminar-halfwidth")
q("fullwidth-en", "データベース バックアップ 検証", "db-backup-nfd")
q("fullwidth-en", "チェックサム", "db-backup-nfd")

# Speaker names.
q("speaker", "東海林", "circuit-breaker-payment")
q("speaker", "勅使河原", "congestion-backpressure")
q("speaker", "四方田 葵", "multi-tenancy-platform")
q("speaker", "月見里", "trace-first-investigation", "cdc-pipeline-monitoring", "otel-tail-sampling",
  "cardinality-explosion")
q("speaker", "佐藤 健太", "slo-nobody-watches")
q("speaker", "佐藤健太", "slo-nobody-watches")
q("speaker", "priya raman", "chaos-to-production", "reliability-at-scale")
q("speaker", "okafor", "istio-to-cilium", "memory-leak-hunt", "linkerd-mtls", "ebpf-network-policy")
q("speaker", "Hannah Lindqvist", "eks-ip-exhaustion", "karpenter-provisioning", "confidential-containers")
q("speaker", "Marco Bellini", "crossplane-self-service", "data-mesh-streaming")
q("speaker", "白鳥 ひかり", "blameless-postmortem", "sli-latency-divergence")
q("speaker", "御手洗", "containerd-to-crio")
q("speaker", "高梨 美月", "istio-to-cilium", "golden-path-paving", "cilium-cluster-mesh", "otlp-unified")
q("speaker", "渡会", "ebpf-observability-overhead")
q("speaker", "東 颯太", "phpstan-levels", "php-parser-ast", "genai-manifest-review")
q("speaker", "月見里 Debezium", "cdc-pipeline-monitoring")
q("speaker", "前田 優子", "cilium-perf-8", "helm-cost-68")
q("speaker", "清水 亮", "eks-security-9")
q("speaker", "山田 直樹", "otel-security-150")
q("speaker", "Rahul Iyer", "gha-automation-201")
q("speaker", "julia kowalski", "cilium-security-275")

# Japanese + English pairs.
q("ja-en", "Cilium 移行", "istio-to-cilium")
q("ja-en", "eBPF 可観測性", "ebpf-observability-overhead")
q("ja-en", "containerd 移行", "containerd-to-crio")
q("ja-en", "Prometheus 予測", "capacity-planning")
q("ja-en", "gRPC フロー制御", "congestion-backpressure")
q("ja-en", "PHP 塩漬け", "legacy-php-pickled")
q("ja-en", "Backstage カタログ", "backstage-catalog-1000")
q("ja-en", "OpenTelemetry 半減", "otel-tail-sampling")
q("ja-en", "KEDA ゼロ", "keda-scale-to-zero")
q("ja-en", "GKE 落とし穴", "onprem-to-gke")
q("ja-en", "Argo Workflows 再実行", "idempotent-batch")
q("ja-en", "Terraform モジュール 廃止", "terraform-module-inventory")
q("ja-en", "EKS サブネット", "eks-ip-exhaustion")
q("ja-en", "Envoy 外れ値", "circuit-breaker-payment")
q("ja-en", "SLO 週報", "slo-nobody-watches")
q("ja-en", "Wasm サンドボックス", "wasm-plugin-sandbox")
q("ja-en", "Kafka 自動化 マルヤマ食品EC", "kafka-automation-240")

# Prolonged sound mark variants (query and text disagree on ー).
q("prolonged", "スケジューラ", "custom-scheduler-gpu")
q("prolonged", "コントローラー reconcile", "controller-reconcile-loop")
q("prolonged", "パーサ", "php-parser-ast")
q("prolonged", "ブラウザ", "browser-rum")
q("prolonged", "メモリリーク", "memory-leak-hunt")
q("prolonged", "ベアメタルサーバ", "baremetal-to-k8s")
q("prolonged", "ユーザストーリー", "user-story-mapping")
q("prolonged", "エクスポータ", "custom-exporter")
q("prolonged", "レートリミッタ", "rate-limiter-fairness")
q("prolonged", "オートスケーラー", "cluster-autoscaler-tuning")
q("prolonged", "フェイルオーバ", "db-failover-drill")
q("prolonged", "プロバイダー", "terraform-module-inventory")
q("prolonged", "サーバ側 正常", "browser-rum")

# Prefixes of the last word (typing in progress; run with --prefix).
q("prefix", "サーキットブ", "circuit-breaker-payment", flags="prefix")
q("prefix", "マルチテナ", "multi-tenancy-platform", flags="prefix")
q("prefix", "Kubernetes 無停", "zero-downtime-upgrade", flags="prefix")
q("prefix", "eBPF 可観", "ebpf-observability-overhead", flags="prefix")
q("prefix", "karpen", "karpenter-provisioning", flags="prefix")
q("prefix", "crossp", "crossplane-self-service", flags="prefix")
q("prefix", "輻", "congestion-backpressure", flags="prefix")
q("prefix", "ブレームレ", "blameless-postmortem", flags="prefix")
q("prefix", "PHPSt", "phpstan-levels", flags="prefix")
q("prefix", "バーンレ", "burn-rate-alerts", flags="prefix")
q("prefix", "ワークロードアイデン", "workload-identity-federation", flags="prefix")
q("prefix", "Terraform 棚", "terraform-module-inventory", flags="prefix")
q("prefix", "opentelemetry tail samp", "otel-tail-sampling", flags="prefix")
q("prefix", "debez", "cdc-pipeline-monitoring", flags="prefix")
q("prefix", "勅使", "congestion-backpressure", flags="prefix")
q("prefix", "テナン", "multi-tenancy-platform", flags="prefix")
q("prefix", "githuba", "reusable-workflows", flags="prefix")
q("prefix", "ユーザストー", "user-story-mapping", flags="prefix")
q("prefix", "ｋａｒｐ", "karpenter-provisioning", flags="prefix")

# Phrases: the words also occur apart in other talks.
q("phrase", '"golden path"', "golden-path-paving")
q("phrase", '"tail sampling"', "otel-tail-sampling")
q("phrase", '"cluster mesh"', "cilium-cluster-mesh")
q("phrase", '"サービスメッシュ"', "istio-to-cilium")
q("phrase", '"ソフトウェアカタログ"', "backstage-catalog-1000")
q("phrase", '"段階的に移行"', "istio-to-cilium")
q("phrase", '"internal developer platform"', "zero-to-platform", "idp-interviews")
q("phrase", '"near misses"', "reliability-at-scale")
q("phrase", '"利用者に近い地点"', "sli-latency-divergence")
q("phrase", '"リリース凍結"', "error-budget-policy")
q("phrase", '"一次対応"', "incident-playbook")
q("phrase", '"dynamic resource allocation"', "dra-gpu-sharing")

# Filters combined with words.
q("filter", "tag:ebpf 可観測性", "ebpf-observability-overhead")
q("filter", "event:sre-next-2024 フェイルオーバー", "db-failover-drill")
q("filter", "year:2023 冪等", "idempotent-batch", "controller-reconcile-loop")
q("filter", "year:2025 eBPF", "ebpf-network-policy", "opentelemetry-ebpf-profiler")
q("filter", "speaker:高梨 移行", "istio-to-cilium")
q("filter", "tool:Falco", "falco-runtime-security")
q("filter", "lang:en eBPF", "ebpf-network-policy", "opentelemetry-ebpf-profiler")
q("filter", "tag:multi-tenancy", "multi-tenancy-platform")
q("filter", "date:>=2025-01-01 Okafor", "ebpf-network-policy")
q("filter", "event:cn-weekly-2025-03 kind:release Istio", "istio-ambient-ga")
q("filter", "speaker:月見里 year:2025", "cardinality-explosion")
q("filter", "tool:Envoy 輻輳", "congestion-backpressure")
q("filter", "year:2023 speaker:Okafor", "istio-to-cilium", "memory-leak-hunt")
q("filter", "kind:lightning 沼", "helm-chart-swamp")
q("filter", "tag:SRE 輪読", "sre-book-reading")
q("filter", "date:<2023-12-01 冪等", "controller-reconcile-loop")
q("filter", "kind:article チェックサム", "db-backup-nfd")

# Negation.
q("negation", "型 -PHPStan", "phpdoc-generics", "istio-to-cilium")
q("negation", "Cilium eBPF -移行", "ebpf-network-policy")
q("negation", "テレメトリー -シグナル", "otlp-unified")
q("negation", "ポータル -Backstage", "developer-portal-search")
q("negation", "メッシュ -ストリーム", "istio-to-cilium")
q("negation", "冪等 -バッチ", "controller-reconcile-loop")
q("negation", "閑散 -KEDA", "onprem-to-gke")
# Regression: a negated bigram run whose first match follows the first positive match (tantivy #2811).
q("negation", "移行 -データプレーン", "onprem-to-gke", "containerd-to-crio")
q("negation", "フラグ -OpenFeature", "graceful-degradation", traps=["etcd-defrag"])
q("negation", "Lindqvist -Karpenter", "eks-ip-exhaustion", "confidential-containers")
q("negation", "月見里 -OpenTelemetry", "cdc-pipeline-monitoring", "cardinality-explosion")
q("negation", "Okafor -eBPF", "memory-leak-hunt", "linkerd-mtls")
q("negation", "ランタイム -コンテナ", "php-wasm-runtime")
q("negation", "リトライ -冪等", "circuit-breaker-payment")
q("negation", "バッチ -冪等 -再暗号化", "rate-limiter-fairness")
q("negation", "予算 SLO -稟議", "error-budget-policy")

# OR.
q("or", "冪等 OR 輻輳", "idempotent-batch", "controller-reconcile-loop", "congestion-backpressure")
q("or", "Linkerd OR Kyverno", "linkerd-mtls", "kyverno-policy-as-code")
q("or", "鍵 OR 沼", "kms-key-rotation", "helm-chart-swamp")
q("or", "karpenter OR kubevirt", "karpenter-provisioning", "kubevirt-vms")
q("or", "稟議 OR 忖度", "no-ringi-cloud-budget", "blameless-postmortem")
q("or", '"golden path" OR 輪読', "golden-path-paving", "sre-book-reading")
q("or", "Ｆａｌｃｏ OR Ｖｅｌｅｒｏ", "falco-runtime-security", "velero-restore-drill")
q("or", "ブレーカー OR リミッター", "circuit-breaker-payment", "rate-limiter-fairness")
q("or", "Thanos OR Sloth", "thanos-billion-series", "sloth-slo-as-code")
q("or", "顛末 OR 乖離", "major-incident-story", "sli-latency-divergence")
q("or", "スケジューラ OR オートスケーラ", "custom-scheduler-gpu", "cluster-autoscaler-tuning")
q("or", "Dapr OR Debezium", "dapr-event-driven", "cdc-pipeline-monitoring")


# ---------------------------------------------------------------------------------------------
# The repository's sample notes (notes/), read with a small RON reader
# ---------------------------------------------------------------------------------------------


class Ron:
    """Just enough RON for the note files: structs, lists, strings (plain and raw), numbers and
    bare identifiers."""

    def __init__(self, text):
        self.s, self.i = text, 0

    def ws(self):
        while self.i < len(self.s):
            if self.s[self.i].isspace():
                self.i += 1
            elif self.s.startswith("//", self.i):
                self.i = self.s.index("\n", self.i)
            else:
                break

    def value(self):
        self.ws()
        c = self.s[self.i]
        if c == '"':
            return self.string()
        if c == "r" and self.s[self.i + 1] in '#"':
            return self.raw()
        if c == "[":
            self.i += 1
            items = []
            while True:
                self.ws()
                if self.s[self.i] == "]":
                    self.i += 1
                    return items
                items.append(self.value())
                self.ws()
                if self.s[self.i] == ",":
                    self.i += 1
        m = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|-?[0-9][0-9.]*").match(self.s, self.i)
        assert m, self.s[self.i:self.i + 40]
        self.i = m.end()
        word = m.group(0)
        self.ws()
        if self.i < len(self.s) and self.s[self.i] == "(":
            self.i += 1
            fields = {"_struct": word}
            while True:
                self.ws()
                if self.s[self.i] == ")":
                    self.i += 1
                    return fields
                fm = re.compile(r"[A-Za-z_][A-Za-z0-9_]*").match(self.s, self.i)
                self.i = fm.end()
                self.ws()
                assert self.s[self.i] == ":"
                self.i += 1
                fields[fm.group(0)] = self.value()
                self.ws()
                if self.s[self.i] == ",":
                    self.i += 1
        return int(word) if word[0].isdigit() else word

    def string(self):
        self.i += 1
        out = []
        while True:
            c = self.s[self.i]
            if c == '"':
                self.i += 1
                return "".join(out)
            if c == "\\":
                n = self.s[self.i + 1]
                if n == "u":
                    end = self.s.index("}", self.i)
                    out.append(chr(int(self.s[self.i + 3:end], 16)))
                    self.i = end + 1
                    continue
                out.append({"n": "\n", "t": "\t", "r": "\r", "0": "\0"}.get(n, n))
                self.i += 2
                continue
            out.append(c)
            self.i += 1

    def raw(self):
        m = re.compile(r'r(#*)"').match(self.s, self.i)
        close = '"' + m.group(1)
        end = self.s.index(close, m.end())
        self.i = end + len(close)
        return self.s[m.end():end]


def sample_talks():
    notes = os.path.join(REPO, "notes")
    talks = []
    for ev in sorted(os.listdir(notes)):
        d = os.path.join(notes, ev)
        if not os.path.isdir(d):
            continue
        event = Ron(open(os.path.join(d, "event.ron"), encoding="utf-8").read()).value()
        for f in sorted(os.listdir(d)):
            if not f.endswith(".ron") or f == "event.ron":
                continue
            t = Ron(open(os.path.join(d, f), encoding="utf-8").read()).value()
            t = {k: v for k, v in t.items() if k != "_struct"}
            for k in ("speakers", "takeaways", "tools", "links"):
                t[k] = [{kk: vv for kk, vv in x.items() if kk != "_struct"} for x in t.get(k, [])]
            t["event"] = ev
            t["_event_name"] = event["name"]
            t.setdefault("date", None)
            talks.append(t)
    return talks


SAMPLE_QUERIES = []


def sq(cls, query, *expected, flags="", traps=()):
    SAMPLE_QUERIES.append((cls, query, list(expected), flags, list(traps)))


CN = "cloudnative-days-summer-2024/"
DW = "devops-sre-kube-weekly-2023-11-13/"
N22 = "neco-weekly-2022-11-02/"
N23 = "neco-weekly-2023-12-22/"
sq("rare-kanji", "冪等", CN + "cloud-native-strategy-resilience")
sq("katakana-inside", "ブレーカー", DW + "circuit-breaker-pattern")
sq("katakana-inside", "テナンシー", CN + "nosql-newsql-serverless-database")
sq("katakana-inside", "シグナル", CN + "telemetry-signal-correlation", N22 + "four-golden-signals-kubernetes")
sq("lowercase-en", "bizdevops", CN + "bizdevops-inhouse-energy-saving")
sq("lowercase-en", "uretprobe", N23 + "otel-go-ebpf-auto-instrumentation")
sq("fullwidth-en", "Ｓｐｅｇｅｌ", N23 + "spegel-registry-mirror")
sq("fullwidth-en", "ｍｅｄｉｋ８ｓ", N22 + "medik8s-node-remediation")
sq("speaker", "Schimanski", N22 + "better-than-crds-post-operator")
sq("speaker", "borkmann", N22 + "cilium-100gbit-clusters", N23 + "bpf-programmable-netdevice")
sq("speaker", "Mrunal Patel", N22 + "cgroupv2-coming-soon")
sq("ja-en", "Cilium DSR", N23 + "cilium-dsr-geneve")
sq("ja-en", "Lambda タイムアウト", CN + "cloud-native-strategy-resilience")
sq("ja-en", "eBPF 自動計装", N23 + "otel-go-ebpf-auto-instrumentation")
sq("prolonged", "カスタムコントローラ", N22 + "controller-idioms", N23 + "spegel-registry-mirror")
sq("prolonged", "ユーザ 手元", CN + "end-to-end-visibility-quest")
sq("prefix", "テレメトリーシグ", CN + "telemetry-signal-correlation", flags="prefix")
sq("prefix", "Service Wea", CN + "service-weaver-modular-monolith", flags="prefix")
sq("phrase", '"golden signals"', N22 + "four-golden-signals-kubernetes")
sq("filter", "tag:ebpf 入門", N23 + "nyumon-ebpf", DW + "ebpf-documentary")
sq("filter", "event:neco-weekly-2023-12-22 フォーク", N23 + "openbao-vault-fork")
sq("negation", "Operator -controller-runtime", N22 + "better-than-crds-post-operator", N22 + "controller-idioms")
sq("fullwidth-en", "ｅＢＰＦ　映画", DW + "ebpf-documentary")
sq("or", "OpenBao OR OpenTofu", N23 + "openbao-vault-fork")
sq("title", "省エネ 内製", CN + "bizdevops-inhouse-energy-saving")


# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------


def corpus_document():
    events = []
    for ev in EVENTS:
        eid, name, kind, start, days, location, url = ev
        e = {"id": eid, "name": name, "kind": kind, "starts_on": start}
        end = datetime.date.fromisoformat(start) + datetime.timedelta(days=days - 1)
        e["ends_on"] = end.isoformat()
        if location:
            e["location"] = location
        if url:
            e["url"] = url
        e["talks"] = [{k: v for k, v in t.items() if k not in ("event", "_anchor", "_event_name")}
                      for t in TALKS if t["event"] == eid]
        events.append(e)
    return {"talknotes": 1, "events": events}


def write_tsv(path, rows, title):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(f"# {title}\n")
        f.write("# Generated by make_corpus.py; do not edit by hand.\n")
        f.write("# class\tquery\texpected ids (comma-separated)\tflags\n")
        for cls, query, ids, flags in rows:
            assert "\t" not in query and "\n" not in query
            f.write(f"{cls}\t{query}\t{','.join(ids)}\t{flags}\n")


def main():
    errors = []
    for t in TALKS:
        t["_event_name"] = EVENT_BY_ID[t["event"]][1]
        if not t["_anchor"]:
            text = doc_text(t, wide=False)
            for word in RESERVED:
                if norm(word) in text:
                    errors.append(f"filler talk {t['event']}/{t['id']} contains reserved word {word!r}")
    errs, resolved = check_queries(TALKS, QUERIES, KEYS, "queries.tsv")
    errors += errs
    samples = sample_talks()
    sample_keys = {f"{t['event']}/{t['id']}": f"{t['event']}/{t['id']}" for t in samples}
    errs, sample_resolved = check_queries(samples, SAMPLE_QUERIES, sample_keys, "queries_sample.tsv")
    errors += errs
    if errors:
        for e in errors:
            print(e, file=sys.stderr)
        sys.exit(f"{len(errors)} problem(s); nothing written")

    with open(os.path.join(HERE, "corpus.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(corpus_document(), f, ensure_ascii=False, indent=1)
        f.write("\n")
    write_tsv(os.path.join(HERE, "queries.tsv"), resolved,
              "Known-item queries over tests/data/search/corpus.json")
    write_tsv(os.path.join(HERE, "queries_sample.tsv"), sample_resolved,
              "Known-item queries over the repository's sample notes (notes/)")
    classes = {}
    for cls, *_ in resolved:
        classes[cls] = classes.get(cls, 0) + 1
    print(f"corpus.json: {len(TALKS)} talks ({sum(t['_anchor'] for t in TALKS)} hand-written) "
          f"in {len(EVENTS)} events")
    print(f"queries.tsv: {len(resolved)} queries: "
          + ", ".join(f"{k} {v}" for k, v in classes.items()))
    print(f"queries_sample.tsv: {len(sample_resolved)} queries over {len(samples)} sample notes")


if __name__ == "__main__":
    main()
