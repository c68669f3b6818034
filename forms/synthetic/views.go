package synthetic

import (
	"hash/fnv"
	"math/rand/v2"
	"strings"

	"portal/forms"
)

// Views returns plausible answers to a questionnaire of views (narratives,
// choices, yes or no), written in one of the six languages (chosen by the
// seed, so that a set of States answers in all of them), with checklists
// that differ from one organization to the next. Tables and files are left
// out, and so are the questions the answers hide (relevance). The same
// seed gives the same answers.
func Views(q *forms.Questionnaire, seed string) forms.Answers {
	h := fnv.New64a()
	h.Write([]byte(seed))
	rng := rand.New(rand.NewPCG(h.Sum64(), 0x71e5))
	lang := forms.Languages[rng.IntN(len(forms.Languages))]
	bank := phrases[lang]
	a := forms.Answers{Values: map[string]forms.Answer{}}
	for _, sec := range q.Sections {
		for _, qq := range sec.Questions {
			switch qq.Kind {
			case forms.Narrative:
				n := 2 + rng.IntN(4)
				parts := make([]string, n)
				for i := range parts {
					parts[i] = bank[rng.IntN(len(bank))]
				}
				text := strings.Join(parts, " ")
				if max := qq.MaxLength; max > 0 && len([]rune(text)) > max {
					text = string([]rune(text)[:max])
				}
				a.Values[qq.Key] = forms.Answer{Text: text}
			case forms.SingleChoice:
				if len(qq.Options) > 0 {
					a.Values[qq.Key] = forms.Answer{Choices: []string{qq.Options[rng.IntN(len(qq.Options))].Key}}
				}
			case forms.MultipleChoice:
				var choices []string
				for _, o := range qq.Options {
					if rng.Float64() < 0.4 {
						choices = append(choices, o.Key)
					}
				}
				if len(choices) == 0 && len(qq.Options) > 0 {
					choices = []string{qq.Options[0].Key}
				}
				a.Values[qq.Key] = forms.Answer{Choices: choices}
			case forms.YesNo:
				yes := rng.Float64() < 0.7
				a.Values[qq.Key] = forms.Answer{Bool: &yes}
			}
		}
	}
	// A State that answers no is not asked what depends on yes.
	for k := range q.Hidden(a) {
		delete(a.Values, k)
	}
	return a
}

// phrases are sentences of the kind States write in their views, in each
// language.
var phrases = map[forms.Language][]string{
	forms.English: {
		"The ministries of the interior and of tourism coordinate the protection of tourist sites.",
		"Tourist police units patrol the main resorts during the high season.",
		"Hotel associations report suspicious bookings to a national contact point.",
		"Online booking fraud has grown with the use of payment platforms.",
		"Trafficking in persons is investigated with the labour inspectorate.",
		"Mutual legal assistance requests take several months to be answered.",
		"Joint training with neighbouring States has improved the exchange of information.",
		"A memorandum of understanding with tour operators sets out how incidents are reported.",
	},
	forms.French: {
		"Les ministères de l'intérieur et du tourisme coordonnent la protection des sites touristiques.",
		"Des unités de police touristique patrouillent dans les principales stations en haute saison.",
		"Les associations hôtelières signalent les réservations suspectes à un point de contact national.",
		"La fraude aux réservations en ligne progresse avec les plateformes de paiement.",
		"Les enquêtes sur la traite des personnes sont menées avec l'inspection du travail.",
		"Les demandes d'entraide judiciaire reçoivent une réponse après plusieurs mois.",
	},
	forms.Spanish: {
		"Los ministerios del interior y de turismo coordinan la protección de los sitios turísticos.",
		"Unidades de policía turística patrullan los principales destinos en temporada alta.",
		"Las asociaciones hoteleras comunican las reservas sospechosas a un punto de contacto nacional.",
		"El fraude en las reservas en línea ha aumentado con las plataformas de pago.",
		"La trata de personas se investiga junto con la inspección de trabajo.",
		"Las solicitudes de asistencia judicial recíproca tardan varios meses en responderse.",
	},
	forms.Russian: {
		"Министерства внутренних дел и туризма координируют охрану туристических объектов.",
		"Подразделения туристической полиции патрулируют основные курорты в высокий сезон.",
		"Гостиничные ассоциации сообщают о подозрительных бронированиях в национальный контактный центр.",
		"Мошенничество при онлайн-бронировании растет вместе с платежными платформами.",
		"Расследования торговли людьми ведутся совместно с трудовой инспекцией.",
		"Ответы на просьбы о взаимной правовой помощи поступают через несколько месяцев.",
	},
	forms.Arabic: {
		"تنسق وزارتا الداخلية والسياحة حماية المواقع السياحية.",
		"تقوم وحدات الشرطة السياحية بدوريات في المنتجعات الرئيسية خلال موسم الذروة.",
		"تبلغ جمعيات الفنادق عن الحجوزات المشبوهة إلى جهة اتصال وطنية.",
		"ازداد الاحتيال في الحجز الإلكتروني مع انتشار منصات الدفع.",
		"يجري التحقيق في الاتجار بالأشخاص بالتعاون مع مفتشية العمل.",
		"تستغرق الردود على طلبات المساعدة القانونية المتبادلة عدة أشهر.",
	},
	forms.Chinese: {
		"内政部和旅游部协调保护旅游景点。",
		"旅游警察在旺季巡逻主要度假区。",
		"酒店协会向国家联络点报告可疑预订。",
		"随着支付平台的普及，网上预订欺诈有所增加。",
		"人口贩运案件与劳动监察部门共同调查。",
		"司法协助请求需要数月才能得到答复。",
	},
}
