package demo

import (
	"fmt"
	"strings"

	"patentwall/market"
)

// Titles and abstracts follow the conventions of Chinese patent documents: "一种……及其制备方法" for
// inventions, "一种……装置" for utility models, the bare product name for designs, and abstracts that
// state the field, the composition or steps, and the effect.

func (r rng) title(tp *topic, typ string) string {
	switch typ {
	case market.TypeUtilityModel:
		switch r.IntN(4) {
		case 0:
			return "一种" + r.pick(umFeats) + r.pick(tp.devices)
		case 1:
			return "一种用于" + r.pick(tp.uses) + "的" + r.pick(tp.devices)
		case 2:
			return "一种" + r.pick(tp.feats) + r.pick(tp.devices)
		default:
			return "一种" + r.pick(tp.devices)
		}
	case market.TypeDesign:
		name := r.pick(tp.designs)
		if r.chance(0.4) {
			name += fmt.Sprintf("（%c%d）", "ABCDEFGHKMSTX"[r.IntN(13)], r.between(1, 9))
		}
		return name
	}
	thing, feat, use := r.pick(tp.things), r.pick(tp.feats), r.pick(tp.uses)
	method, tech := r.pick(tp.methods), r.pick(tp.techs)
	switch tp.style {
	case styleMaterial:
		switch r.IntN(5) {
		case 0:
			return "一种" + feat + thing + "及其制备方法"
		case 1:
			return "一种" + thing + "的" + method
		case 2:
			return feat + thing + "、其制备方法及应用"
		case 3:
			return "一种用于" + use + "的" + thing + "及其制备方法"
		default:
			return "一种" + thing + "及其在" + use + "中的应用"
		}
	case styleSoftware:
		switch r.IntN(5) {
		case 0:
			return "一种基于" + tech + "的" + thing + method
		case 1:
			return "基于" + tech + "的" + feat + thing + method
		case 2:
			return "一种" + feat + thing + method
		case 3:
			return "面向" + use + "的" + thing + method
		default:
			return "一种" + thing + method
		}
	}
	switch r.IntN(5) {
	case 0:
		return "一种" + feat + thing + "及其" + method
	case 1:
		return "一种基于" + tech + "的" + thing + method
	case 2:
		return "一种用于" + use + "的" + feat + thing
	case 3:
		return "一种" + thing + "的" + method
	default:
		return feat + thing + "及其" + method
	}
}

// three picks three different items.
func (r rng) three(xs []string) (string, string, string) {
	p := r.Perm(len(xs))
	return xs[p[0]], xs[p[1]], xs[p[2]]
}

// stepsOf picks n different items in their list order, so steps keep their sequence.
func (r rng) stepsOf(xs []string, n int) []string {
	keep := r.Perm(len(xs))[:n]
	out := make([]string, 0, n)
	for i, x := range xs {
		for _, k := range keep {
			if k == i {
				out = append(out, x)
			}
		}
	}
	return out
}

func (r rng) abstract(tp *topic, typ, title string) string {
	e1, e2, _ := r.three(tp.effects)
	subject := title
	if !strings.HasPrefix(subject, "一种") && typ != market.TypeDesign {
		subject = "一种" + subject
	}
	switch typ {
	case market.TypeUtilityModel:
		a, b, c := r.three(umParts)
		return fmt.Sprintf("本实用新型公开了%s，涉及%s技术领域，包括%s、%s和%s，所述%s%s所述%s，所述%s与所述%s传动连接。本实用新型结构简单，%s，%s。",
			subject, tp.field, a, b, c, b, r.pick(umJoins), a, c, b, r.pick(umEffects), e1)
	case market.TypeDesign:
		return fmt.Sprintf("1．本外观设计产品的名称：%s。2．本外观设计产品的用途：用于%s。3．本外观设计产品的设计要点：在于形状%s。4．最能表明设计要点的图片或照片：立体图。",
			title, r.pick(tp.uses), r.pick([]string{"", "与图案的结合", "与色彩的结合"}))
	}
	p1, p2, p3 := r.three(tp.parts)
	steps := strings.Join(r.stepsOf(tp.steps, 3), "；")
	switch tp.style {
	case styleMaterial:
		return fmt.Sprintf("本发明公开了%s，属于%s技术领域。该产品包含%s、%s和%s，其制备方法包括以下步骤：%s。本发明%s，%s，可应用于%s。",
			subject, tp.field, p1, p2, p3, steps, e1, e2, r.pick(tp.uses))
	case styleSoftware:
		who := r.pick([]string{"本发明", "本申请"})
		return fmt.Sprintf("%s公开了%s，涉及%s技术领域。该方法包括：%s。%s%s，%s，适用于%s等场景。",
			who, subject, tp.field, steps, who, e1, e2, r.pick(tp.uses))
	}
	return fmt.Sprintf("本发明提供了%s，涉及%s技术领域。所述装置包括%s、%s及%s，其工作过程为：%s。与现有技术相比，本发明%s，%s，适用于%s。",
		subject, tp.field, p1, p2, p3, steps, e1, e2, r.pick(tp.uses))
}
